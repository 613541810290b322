"""The layers hold (README, "Architecture"; the contracts are in .importlinter): the infrastructure
in platform/core imports no feature, the search package nothing of the platform, no feature the
app's composition; and no module imports another package's private names."""
import ast
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold(monkeypatch, capsys):
    # In-process: the platform package (not the standard library's module of that name) is the
    # one already imported here. The report names each broken contract and the import chain.
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[:2] == ["platform", "core"] else ".".join(parts[:2])


def test_no_module_imports_another_packages_private_names():
    offences = []
    for path in sorted((ROOT / "platform").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = package.split(".")
            target = ".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else node.module or ""
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__") and _package(target) != _package(module):
                    offences.append(f"{module}: from {target} import {alias.name}")
    assert offences == []
