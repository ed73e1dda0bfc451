"""``flask --app wsgi ...`` commands."""
import click
from flask import Flask, current_app
from flask_migrate import upgrade

from marketplace.admin.accounts.scope import set_admin_scope
from marketplace.auth.forms import password_problem
from marketplace.auth.services import AccountError, create_admin, find_user_by_email, normalise_email
from marketplace.core.validation import InvalidInput
from marketplace.geo import get_province
from marketplace.trade.scope import provinces_of


def init_cli(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(admin_scope_command)
    app.cli.add_command(match_command)
    app.cli.add_command(bench_match_command)


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
@click.option("--province", "provinces", multiple=True,
              help="Limit the account to this province (repeatable; any name or code). Default: the whole country.")
def create_admin_command(email, password, provinces):
    """Create an admin account (admins cannot register on the web)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(f"Weak password: {problem}")
    try:
        user = create_admin(email, password)
    except AccountError as error:
        raise click.ClickException(error.message) from error
    if provinces:
        _set_scope(user, provinces)
    click.echo(f"Admin {user.email} is ready; oversees {_scope_words(user)}.")


def _set_scope(user, provinces) -> None:
    try:
        set_admin_scope(user, provinces)
    except InvalidInput as error:
        raise click.ClickException(" ".join(str(m) for m in error.fields.values())) from error


def _scope_words(user) -> str:
    codes = provinces_of(user)
    return ", ".join(get_province(code).name for code in codes) if codes else "the whole country"


@click.command("admin-scope")
@click.argument("email")
@click.argument("provinces", nargs=-1)
@click.option("--whole-country", is_flag=True, help="Remove the limit: the admin oversees every province.")
def admin_scope_command(email, provinces, whole_country):
    """Show, or limit to PROVINCES (names or codes), what an admin oversees.

    A scoped admin sees and moderates only the matches, listings, orders and
    accounts of their provinces. Audited."""
    user = find_user_by_email(normalise_email(email))
    if user is None:
        raise click.ClickException(f"No account {email}.")
    if provinces and whole_country:
        raise click.ClickException("Give provinces or --whole-country, not both.")
    if provinces or whole_country:
        _set_scope(user, provinces)
    click.echo(f"{user.email} oversees {_scope_words(user)}.")


def _echo_run(run) -> None:
    click.echo(f"Run {run.id} {run.status.value}: {run.parts_done}/{run.parts_total} categories, "
               f"{run.listings:,} listings × {run.orders:,} orders, {run.arcs:,} candidate arcs.")
    click.echo(f"Proposed {run.matches:,} matches for {run.quantity:,} units "
               f"(score {run.total_score:,.1f}; dropped as stale: {run.stale}).")
    timings = run.timings or {}
    duration = f"{run.duration:.2f} s" if run.duration is not None else "-"
    click.echo(f"Load {timings.get('load', 0):.2f} s, engine {timings.get('engine', 0):.2f} s, "
               f"write {timings.get('write', 0):.2f} s; total {duration}.")
    if run.error:
        click.echo(f"Error: {run.error}", err=True)


def _progress_bar(category: str | None = None):
    """A bar over the run's parts: start_run picks the categories the same way."""
    from marketplace.core.clock import local_today
    from marketplace.matches.loading import live_categories

    total = 1 if category else len(live_categories(local_today()))
    return click.progressbar(length=total, label="Matching", show_pos=True, item_show_func=lambda c: c or "")


def _run_with_progress(category: str | None):
    from marketplace.matches import runs
    from marketplace.models import RunTrigger

    with _progress_bar(category) as bar:
        return runs.run_inline(RunTrigger.CLI, category=category, progress=lambda batch: bar.update(len(batch), batch[-1]))


@click.command("match")
@click.option("--category", help="Only this category (its code); every category with supply and demand by default.")
def match_command(category):
    """Run the matching engine now, in this process, and print the run's figures."""
    from marketplace.models import RunStatus

    run = _run_with_progress(category)
    _echo_run(run)
    if run.status == RunStatus.FAILED:
        raise click.ClickException("The run failed.")


@click.command("bench-match")
@click.option("--size", default=10_000, show_default=True, help="Listings to generate, and as many orders.")
@click.option("--seed", default=0, show_default=True)
@click.option("--yes", is_flag=True, help="Do not ask before adding synthetic data.")
def bench_match_command(size, seed, yes):
    """Add a synthetic marketplace to the configured database and time a full run on it."""
    from marketplace.matches.benchmark import report, timed_run
    from marketplace.matches.synthetic import seed_marketplace

    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("bench-match adds synthetic data; it is for development databases only.")
    if size < 1:
        raise click.BadParameter("must be at least 1", param_hint="--size")
    if not yes:
        click.confirm(f"Add {size:,} synthetic listings and {size:,} orders to this database?", abort=True)
    seeded = seed_marketplace(size, seed)
    click.echo(f"Added {seeded['listings']:,} listings and {seeded['orders']:,} orders in "
               f"{seeded['insert_s']:.1f} s.")
    with _progress_bar() as bar:
        figures = timed_run(progress=lambda batch: bar.update(len(batch), batch[-1]))
    for line in report(figures):
        click.echo(line)
