"""The translation path (``glossator.translate``): documents → sentences → glossary matches → memory → engine →
enforcement → rendered documents.

This folder is installed as ``glossator.translate`` (``glossator/translate`` links here); it is never a top-level
``translate`` package, which is translate-toolkit's name. Heavy modules (ctranslate2, sentencepiece) are imported
only where a model is actually needed.
"""
