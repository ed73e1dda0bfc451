"""``flask --app wsgi ...`` commands."""
import click
from flask import Flask, current_app
from flask_migrate import upgrade

from marketplace.auth.forms import password_problem
from marketplace.auth.services import AccountError, create_admin


def init_cli(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)


@click.command("init-db")
def init_db():
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("seed-demo")
def seed_demo_command():
    """Fill an empty database with demo accounts and print their logins."""
    from marketplace.demo import DEMO_PASSWORD, demo_logins, seed_demo

    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("seed-demo is for development databases only.")
    if not seed_demo():
        click.echo("The database already has users; no demo data added.")
    logins = demo_logins()
    if logins:
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role in logins:
            click.echo(f"  {role:<12} {email}")


@click.command("create-admin")
@click.argument("email")
@click.option("--password", help="Prompted for (hidden) when left out.")
def create_admin_command(email, password):
    """Create an admin account (admins cannot register on the web)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(f"Weak password: {problem}")
    try:
        user = create_admin(email, password)
    except AccountError as error:
        raise click.ClickException(error.message)
    click.echo(f"Admin {user.email} is ready.")
