"""Glossator's term base: the glossary format, its editing, and inflection-aware term matching.

Depends only on the standard library, PyYAML and the German lemmatizer; never imports ``translate``.
"""
