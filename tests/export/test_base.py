"""The shared parts of the export package: the formats table, file reading, safe YAML."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

from playground.export import registry
from playground.export.base import (
    MAX_IMPORT_BYTES,
    FormatError,
    folder_sibling_reader,
    json_line,
    read_text_file,
)
from playground.export.yamlio import MAX_YAML_NODES, dump_yaml, load_yaml, split_front_matter


@pytest.mark.parametrize("fmt", registry.FORMATS, ids=lambda f: f.id)
def test_every_format_names_functions_that_exist(fmt: registry.ExportFormat) -> None:
    module = importlib.import_module(fmt.module)
    assert callable(getattr(module, fmt.exporter))
    if fmt.importer is not None:
        assert callable(getattr(module, fmt.importer))


def test_the_cli_formats_are_the_ones_the_issue_names() -> None:
    assert set(registry.FORMAT_IDS) == {
        "python-openai",
        "python-anthropic",
        "ts-openai",
        "ts-anthropic",
        "curl",
        "prompty",
        "promptfoo",
        "json",
        "dotprompt",
    }


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.prompty", "---\n---\n", "prompty"),
        ("promptfooconfig.yaml", "prompts: []", "promptfoo"),
        ("x.YML", "prompts: []", "promptfoo"),
        ("p.json", '  {"name": "x"}', "json"),
        ("chat.json", ' [{"role": "user", "content": "x"}]', "promptfoo"),
    ],
)
def test_files_find_their_importer(name: str, text: str, expected: str) -> None:
    assert registry.format_for_file(name, text, name).id == expected


def test_dotprompt_and_unknown_files_are_refused_with_what_to_do() -> None:
    with pytest.raises(FormatError, match="can be exported but not imported"):
        registry.import_text("---\n---\n", "a.prompt")
    with pytest.raises(FormatError, match=r"notes\.txt: is not a prompt file this app reads"):
        registry.import_text("hello", "notes.txt")
    with pytest.raises(FormatError, match="unknown format 'yaml'"):
        registry.get_format("yaml")


def test_reading_files_refuses_what_is_not_a_prompt_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        read_text_file(tmp_path / "missing.json")
    with pytest.raises(FormatError, match="is a folder"):
        read_text_file(tmp_path)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_IMPORT_BYTES + 1))
    with pytest.raises(FormatError, match="prompt files are limited to"):
        read_text_file(big)
    binary = tmp_path / "b.json"
    binary.write_bytes(b"{\x00}")
    with pytest.raises(FormatError, match="binary file"):
        read_text_file(binary)
    latin = tmp_path / "l.json"
    latin.write_bytes(b'{\n"name":\n"caf\xe9"}')
    with pytest.raises(FormatError, match=r"l\.json:3: is not UTF-8 text"):
        read_text_file(latin)
    bom = tmp_path / "bom.json"
    bom.write_bytes('\ufeff{"name": "x"}'.encode())
    assert read_text_file(bom) == '{"name": "x"}'


def test_referenced_files_stay_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "repo" / "prompts").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "repo" / "prompts" / "chat.json").write_text("[]")
    config = tmp_path / "repo" / "prompts" / "promptfooconfig.yaml"
    read = folder_sibling_reader(config)
    assert read("file://chat.json").text == "[]"
    with pytest.raises(FormatError, match="outside the file's folder"):
        read("file://../../secret.txt")
    with pytest.raises(FormatError, match="outside the file's folder"):
        read(str(tmp_path / "secret.txt"))


def test_json_line_points_at_the_field() -> None:
    text = '{\n "a": [1,\n  {"b": {"c": 2}}],\n "d": "x"\n}'
    assert json_line(text, "a[1].b.c") == 3
    assert json_line(text, "d") == 4
    assert json_line(text, "a[5]") is None
    assert json_line(text, "a.b") is None
    assert json_line("not json", "a") is None


def test_yaml_errors_give_the_line_in_the_file() -> None:
    with pytest.raises(FormatError, match=r"^f\.prompty:12: invalid YAML") as info:
        load_yaml("a: 1\nb: [unclosed\nc: 2\n", "f.prompty", first_line=10)
    assert info.value.line == 12


def test_yaml_never_builds_python_objects() -> None:
    with pytest.raises(FormatError, match="invalid YAML"):
        load_yaml("x: !!python/object/apply:os.system ['true']\n", "f.yaml")


def test_an_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(FormatError, match=f"more than {MAX_YAML_NODES:,} values"):
        load_yaml("\n".join(lines), "bomb.yaml")


def test_a_self_referencing_yaml_value_is_refused_not_looped() -> None:
    with pytest.raises(FormatError, match="values; refused"):
        load_yaml("a: &a [*a]\n", "loop.yaml")


def test_front_matter_is_split_with_the_body_line() -> None:
    meta, body, line = split_front_matter("---\nname: x\n---\nsystem:\nHi\n", "f")
    assert (meta, body, line) == ("name: x\n", "system:\nHi\n", 4)
    with pytest.raises(FormatError, match=r"^f:1: must start with a '---' line"):
        split_front_matter("name: x\n", "f")
    with pytest.raises(FormatError, match="never closed"):
        split_front_matter("---\nname: x\n", "f")


@pytest.mark.parametrize(
    "text", ["a\nb\n", "a\nb", " lead\nx", "x  \ny", "\n\nz\n\n", "tab\tin\nline", "a\r\nb", "é ü"]
)
def test_dumped_yaml_reads_back_exactly(text: str) -> None:
    assert yaml.safe_load(dump_yaml({"k": text, "n": [1, None, True]})) == {
        "k": text,
        "n": [1, None, True],
    }
