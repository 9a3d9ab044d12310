"""The public surface is what the documentation says it is: ``deploysim.__all__``, the package map
in its docstring and the README's notebook section name the same things."""

from __future__ import annotations

import re
from pathlib import Path

import deploysim

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_exported_name_exists_and_is_documented_in_the_package_docstring() -> None:
    doc = deploysim.__doc__ or ""
    for name in deploysim.__all__:
        assert hasattr(deploysim, name), name
        if name != "__version__":
            assert f"{name}`" in doc, f"{name} is exported but the package docstring does not name it"


def test_every_name_the_package_docstring_documents_is_exported() -> None:
    documented = set(re.findall(r":(?:func|class):`(\w+)`", deploysim.__doc__ or ""))
    assert documented <= set(deploysim.__all__), documented - set(deploysim.__all__)


def test_every_function_the_readme_calls_on_the_package_is_exported() -> None:
    called = set(re.findall(r"\bdeploysim\.(\w+)\(", README.read_text()))
    assert called, "the README shows no deploysim.<function>( call"
    assert called <= set(deploysim.__all__), called - set(deploysim.__all__)


def test_every_layer_names_its_public_surface() -> None:
    import deploysim.experiments
    import deploysim.results
    import deploysim.scenario
    import deploysim.storage

    for layer in (deploysim.scenario, deploysim.results, deploysim.storage, deploysim.experiments):
        assert layer.__doc__ and "\n- ``" in layer.__doc__, f"{layer.__name__} has no module map"
        for name in getattr(layer, "__all__", ()):
            assert hasattr(layer, name), f"{layer.__name__}.{name}"
