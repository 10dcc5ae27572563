"""TypeScript exports: type-checked against the real npm packages, then run.

One session-scoped install puts exact, verified versions of the SDKs,
TypeScript (5.x: the compiler the SDKs' typings are written for) and the
Node typings into a temporary folder; one strict ``tsc`` run checks every
TypeScript export and compiles it, refusing to emit anything if a single
error is found. The compiled programs then run under Node against the
loopback fake server, like the Python exports do. A failed install fails
the tests with npm's output: without it nothing here would be checked.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from playground.core.document import Message, PromptDocument, Target, Variable
from playground.export import code_support as cs
from playground.export.base import ExportOptions
from playground.export.registry import export_document
from tests.export.test_code import CASES, export_case
from tests.fakes.llm_server import FakeLLMServer

PACKAGES = {
    "typescript": "5.9.3",
    "openai": "7.60.0",
    "@anthropic-ai/sdk": "1.16.0",
    "nunjucks": "3.2.4",
    "@types/nunjucks": "3.2.6",
    "@types/node": "20.19.43",
}
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmitOnError": True,
        "target": "es2022",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "types": ["node"],
        "skipLibCheck": True,  # check our code against the typings, not the typings themselves
        "outDir": "out",
    },
    "include": ["src/*.ts"],
}
ODD = PromptDocument(
    name="Odd names `${x}` \u2028 */",
    system="Back`ticks` and ${dollar} and \\ and \u2028 line separators.",
    messages=(Message("user", "{{ class }} / {{ default }} / {{ naïve }} / {{ values }}"),),
    variables=(
        Variable("class", "c"),
        Variable("default", "d"),
        Variable("naïve", "n"),
        Variable("values", "v"),
    ),
    targets=(Target("openai", "gpt-4.1-mini"), Target("anthropic", "claude-haiku-4-5")),
)
EXTRA = {
    "ts-openai-odd-parameters": ("ts-openai", ODD, ExportOptions(variables="parameters")),
    "ts-openai-odd-inline": ("ts-openai", ODD, ExportOptions(stream=True)),
    "ts-anthropic-odd-parameters": (
        "ts-anthropic",
        ODD,
        ExportOptions(target=1, variables="parameters"),
    ),
}


@dataclass(frozen=True)
class Step:
    """What one command printed, and whether it worked."""

    command: str
    returncode: int
    output: str

    def check(self) -> None:
        assert self.returncode == 0, f"{self.command} failed ({self.returncode}):\n{self.output}"


@dataclass(frozen=True)
class Project:
    root: Path
    install: Step
    compile: Step | None


def _step(command: Sequence[str], cwd: Path, timeout: float) -> Step:
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Step(" ".join(command), -1, str(exc))
    return Step(" ".join(command), done.returncode, done.stdout + done.stderr)


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("ts-export")
    (root / "package.json").write_text(
        json.dumps({"name": "ts-export-check", "private": True, "type": "module"})
    )
    (root / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    src = root / "src"
    src.mkdir()
    for name in [n for n, case in CASES.items() if case[0].startswith("ts-")]:
        (src / f"{name}.ts").write_text(export_case(name).main.text, encoding="utf-8")
    for name, (fmt, doc, options) in EXTRA.items():
        (src / f"{name}.ts").write_text(export_document(doc, fmt, options).main.text)
    npm = shutil.which("npm") or "npm"
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    install = _step(
        [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact", *specs],
        root,
        timeout=300,
    )
    if install.returncode != 0:
        return Project(root, install, None)
    tsc = root / "node_modules" / "typescript" / "bin" / "tsc"
    return Project(root, install, _step(["node", str(tsc), "-p", "tsconfig.json"], root, 300))


def test_the_typescript_exports_type_check(project: Project) -> None:
    project.install.check()
    assert project.compile is not None
    project.compile.check()
    assert project.compile.output == ""  # no diagnostics at all
    compiled = sorted(p.stem for p in (project.root / "out").glob("*.js"))
    expected = sorted([n for n, c in CASES.items() if c[0].startswith("ts-")] + list(EXTRA))
    assert compiled == expected


def test_the_type_check_catches_a_wrong_call(project: Project, tmp_path: Path) -> None:
    """The check is real: an export with a misspelt SDK field fails it."""
    project.install.check()
    broken = export_case("ts-openai-inline").main.text.replace(
        "max_completion_tokens", "max_tokenz"
    )
    (project.root / "broken").mkdir(exist_ok=True)
    (project.root / "broken" / "broken.ts").write_text(broken)
    config = {**TSCONFIG, "include": ["broken/*.ts"]}
    config["compilerOptions"] = {**TSCONFIG["compilerOptions"], "noEmit": True}  # type: ignore[dict-item]
    (project.root / "tsconfig.broken.json").write_text(json.dumps(config))
    tsc = project.root / "node_modules" / "typescript" / "bin" / "tsc"
    step = _step(["node", str(tsc), "-p", "tsconfig.broken.json"], project.root, 300)
    assert step.returncode != 0
    assert "max_tokenz" in step.output


def _node(project: Project, name: str, server: FakeLLMServer, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.update(
        OPENAI_API_KEY="sk-ts",
        ANTHROPIC_API_KEY="sk-ts",
        OPENAI_BASE_URL=server.openai_base_url,
        OLLAMA_BASE_URL=server.openai_base_url,
        ANTHROPIC_BASE_URL=server.anthropic_base_url,
    )
    script = project.root / "out" / f"{name}.js"
    done = subprocess.run(
        ["node", str(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


ANSWER = "Node says `hi` ✓"


@pytest.mark.parametrize(
    ("name", "model", "args"),
    [
        ("ts-openai-inline", "gpt-4.1-mini", ()),
        ("ts-openai-parameters-stream", "gpt-4.1-mini", ("--topic", "moss")),
        ("ts-openai-ollama", "llama3.2", ()),
        ("ts-openai-jinja-parameters", "gpt-4.1-mini", ("--steps", "a,b", "--strict", "y")),
        ("ts-anthropic-inline", "claude-haiku-4-5", ()),
        ("ts-anthropic-parameters-stream", "claude-haiku-4-5", ("--audience", "cat")),
        ("ts-anthropic-jinja-parameters-stream", "claude-haiku-4-5", ("--task", "x")),
        ("ts-openai-odd-parameters", "gpt-4.1-mini", ("--class", "K")),
    ],
)
def test_the_typescript_exports_run(
    project: Project, name: str, model: str, args: tuple[str, ...]
) -> None:
    project.install.check()
    assert project.compile is not None
    project.compile.check()
    with FakeLLMServer() as server:
        server.script(model, text=ANSWER, chunks=3)
        assert _node(project, name, server, *args) == ANSWER + "\n"
        body = server.requests[-1].body
    texts = json.dumps(body, ensure_ascii=False)
    if name == "ts-openai-parameters-stream":
        assert "What is moss?" in texts
    if name == "ts-openai-jinja-parameters":  # nunjucks rendered the logic as jinja2 would
        assert body["messages"][0]["content"] == "You write checklists. Be strict."
        assert body["messages"][1]["content"] == "Make a checklist for PACKING:\n- a\n- b\n"
    if name == "ts-openai-odd-parameters":
        assert body["messages"][1]["content"] == "K / d / n / v"
        assert body["messages"][0]["content"] == ODD.system


def test_the_help_option_lists_the_variables(project: Project) -> None:
    project.install.check()
    with FakeLLMServer() as server:
        output = _node(project, "ts-openai-parameters-stream", server, "--help")
        assert server.requests == []
    assert "--topic (default: tides): What to explain" in output


_NASTY = [
    "",
    "`",
    "${x}",
    "$${",
    "\\",
    "\\`",
    '"',
    "'",
    "\n",
    "\r\n",
    "\u2028\u2029",
    "\x00\x07\x1b",
    "\ud800",
    "a\udfffb",
    "😀\U000e0001",
    "\ufeff",
    "*/ //",
    "</script>",
]


def _random_texts(count: int) -> list[str]:
    rng = random.Random(5)
    # High surrogates only: next to a low one, JavaScript would read a pair as one character.
    alphabet = "`$\\{}\"'\n\r\t\x00a\u2028\u2029😀é\ud800 "
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def test_typescript_literals_evaluate_back_to_the_text(tmp_path: Path) -> None:
    """Every kind of literal, run through Node itself: strings, template literals, values."""
    texts = _NASTY + _random_texts(300)
    lines = ["const out = ["]
    for i, text in enumerate(texts):
        segment = cs.Plain(((False, text), (True, "v"), (False, text)))
        lines.append(f"  {cs.ts_str(text, 2)},")
        lines.append(f"  {cs.ts_template(segment, {'v': 'v'}, 2)},")
        lines.append(f"  JSON.stringify({cs.ts_value({text: [text, i]}, 2)}),")
    lines += ["];", "process.stdout.write(JSON.stringify(out));"]
    script = tmp_path / "literals.cjs"
    # Plain UTF-8: a lone surrogate that escaped escaping would fail to encode here.
    script.write_text('const v = "V";\n' + "\n".join(lines), encoding="utf-8")
    done = subprocess.run(["node", str(script)], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    results = json.loads(done.stdout.decode())
    for i, text in enumerate(texts):
        assert results[3 * i] == text
        assert results[3 * i + 1] == text + "V" + text
        assert json.loads(results[3 * i + 2]) == {text: [text, i]}
