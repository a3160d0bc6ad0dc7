"""The bottom layer: typed errors, settings (the one reader of environment variables) and safe file I/O."""
