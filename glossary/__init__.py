"""The term base (``glossator.glossary``): the glossary format, its editing, and inflection-aware term matching.

This folder is installed as ``glossator.glossary`` (``glossator/glossary`` links here). It imports only
``glossator.common`` below it, never the translation path, the quality layer or the CLI.
"""
