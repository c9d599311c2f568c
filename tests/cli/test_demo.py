"""`pulsebot demo`: a real digest from simulated answers, written to a folder, with no Slack at all."""

import json

from typer.testing import CliRunner

from pulsebot.cli import cli

runner = CliRunner()


def test_demo_writes_block_kit_a_png_chart_and_text(tmp_path):
    folder = tmp_path / "out"

    result = runner.invoke(cli, ["demo", "--out", str(folder)], env={"PATH": ""})

    assert result.exit_code == 0, result.output
    assert "Customer Support pulse: week of" in result.stdout
    assert sorted(path.name for path in folder.iterdir()) == ["digest.json", "digest.txt", "trend.png"]
    message = json.loads((folder / "digest.json").read_text())
    assert message["blocks"][0]["type"] == "header"
    assert (folder / "trend.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    text = (folder / "digest.txt").read_text()
    assert "hidden: fewer than 5 answered" in text  # the holiday week
    assert "Mood fell" in text and "comments mention" in text
