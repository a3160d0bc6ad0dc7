"""YAML as Glossator reads it from users' files (glossaries, manifests): safe tags only, no aliases, bounded depth.

PyYAML's SafeLoader already refuses Python tags, but expands aliases: nine nested ``&a [*b, *b, …]`` lines
(a "billion laughs") grow without bound once something walks the data. Glossary and manifest files have no use
for aliases, so any alias is refused with its line; input nested too deeply for the parser is refused too.
"""

from __future__ import annotations

from typing import Any

import yaml


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            problem = f"alias *{event.anchor} (aliases are not allowed here; write the value out)"
            raise yaml.composer.ComposerError(None, None, problem, event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(text: str, where: str, error: type[Exception], what: str = "") -> tuple[Any, Any]:
    """Parse *text* once; return ``(data, root node)`` (the node has line numbers). Errors become *error* with
    ``where:line:column`` and how to fix it."""
    loader = None
    try:
        loader = _StrictLoader(text)  # the reader already refuses control characters here
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
        return data, root
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where
        raise error(f"{at}: invalid YAML{what}: {exc.problem or exc}. Fix the syntax there.") from None
    except yaml.YAMLError as exc:
        raise error(f"{where}: invalid YAML{what}: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise error(f"{where}: invalid YAML{what}: nested too deeply to read. Flatten the structure.") from None
    finally:
        if loader is not None:
            loader.dispose()
