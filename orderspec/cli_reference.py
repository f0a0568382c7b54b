"""The commands that describe orderspec itself rather than any spec: `rules` and `explain` (the
diagnostic codes, from orderspec.registry) and `schema` (the editors' JSON Schema of spec files).
`orderspec.cli` registers these commands."""

from __future__ import annotations

import click

from orderspec.cli_options import CannotWrite
from orderspec.files import write_atomically


@click.command()
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True)
def rules(output_format: str) -> None:
    """List every diagnostic code with its severity and summary."""
    from orderspec.check import docs

    click.echo(docs.markdown() if output_format == "markdown" else docs.rules_table(), nl=False)


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain one diagnostic code, with a bad and a good example."""
    from orderspec.check import docs
    from orderspec.registry import RULES
    from orderspec.spec import did_you_mean

    wanted = code.strip().upper()
    found = RULES.get(wanted)
    if found is None:
        # Codes are a letter and digits: O for 0 and I or L for 1 are the usual slips.
        digits = wanted[1:].translate(str.maketrans("OIL", "011"))
        hint = (f" (did you mean `{wanted[:1] + digits}`?)" if wanted[:1] + digits in RULES
                else did_you_mean(wanted, tuple(RULES)))
        raise click.UsageError(f"unknown rule code `{code}`{hint}; `orderspec rules` lists them")
    click.echo(docs.explain(found), nl=False)


@click.command()
@click.option("--output", "-o", metavar="FILE", help="Write the schema to FILE (atomically) instead of stdout.")
def schema(output: str | None) -> None:
    """Write a JSON Schema of spec files, for editors that use yaml-language-server."""
    from orderspec import editor_schema

    text = editor_schema.spec_schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output, text)
    except OSError as problem:
        raise CannotWrite(output, problem) from None
    click.echo(f"wrote {output}", err=True)


COMMANDS: tuple[click.Command, ...] = (rules, explain, schema)
