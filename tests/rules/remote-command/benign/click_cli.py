import subprocess

import click


@click.group()
def cli():
    pass


@cli.command()
@click.argument("target")
def build(target):
    """Arguments come from the command line of whoever runs the tool."""
    subprocess.run(["make", target], check=True)
