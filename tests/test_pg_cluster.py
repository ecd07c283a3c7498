"""The private PostgreSQL cluster of the tests (tests/pg_cluster.py, the `pg_cluster` fixture):
it runs, the superuser and later roles log in with their passwords (scram-sha-256) over TCP
and the Unix socket, a wrong password is refused, and the server can be killed and started
again with its data kept."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.pg_cluster import SUPERUSER, Cluster


def libpq(url: str) -> str:
    """The libpq form of one of the cluster's SQLAlchemy URLs (psycopg.connect takes it)."""
    assert url.startswith("postgresql+psycopg://")
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def fresh(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


def create_role(cluster: Cluster, password: str) -> str:
    role = fresh("tester")
    with psycopg.connect(libpq(cluster.url()), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))
    return role


def test_the_cluster_runs_on_localhost_and_its_socket(pg_cluster: Cluster) -> None:
    assert pg_cluster.postmaster_pid() is not None
    assert pg_cluster.port > 0 and pg_cluster.superuser == SUPERUSER
    assert (pg_cluster.socket_dir / f".s.PGSQL.{pg_cluster.port}").exists()
    assert pg_cluster.url().startswith(f"postgresql+psycopg://{SUPERUSER}:")
    assert pg_cluster.url().endswith(f"@127.0.0.1:{pg_cluster.port}/postgres")
    with psycopg.connect(libpq(pg_cluster.url())) as connection:
        assert connection.execute("SHOW fsync").fetchone() == ("off",)


def test_the_superuser_logs_in_over_tcp_and_the_socket(pg_cluster: Cluster) -> None:
    with psycopg.connect(libpq(pg_cluster.url())) as connection:
        row = connection.execute("SELECT current_user, host(inet_server_addr()), "
                                 "current_setting('is_superuser')").fetchone()
        assert row == (SUPERUSER, "127.0.0.1", "on")
    with psycopg.connect(libpq(pg_cluster.socket_url())) as connection:
        row = connection.execute("SELECT current_user, inet_server_addr()").fetchone()
        assert row == (SUPERUSER, None)  # no server address: the Unix socket


def test_the_superuser_needs_its_password_on_the_socket_too(pg_cluster: Cluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(libpq(pg_cluster.socket_url(SUPERUSER, "not the password")))


def test_a_created_role_logs_in_with_its_password_only(pg_cluster: Cluster) -> None:
    password = "p@ss:w/rd %ü?&#"  # everything a URL must quote
    role = create_role(pg_cluster, password)
    url = pg_cluster.url(role, password)
    assert make_url(url).password == password and make_url(url).username == role
    with psycopg.connect(libpq(url)) as connection:
        assert connection.execute("SELECT current_user").fetchone() == (role,)
    with psycopg.connect(libpq(pg_cluster.socket_url(role, password))) as connection:
        assert connection.execute("SELECT current_user").fetchone() == (role,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(libpq(pg_cluster.url(role, "p@ss:w/rd %ü?&")))


def test_create_database(pg_cluster: Cluster) -> None:
    name = fresh("tests_db")
    pg_cluster.create_database(name)
    with psycopg.connect(libpq(pg_cluster.url(database=name))) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == (name,)
    with psycopg.connect(libpq(pg_cluster.socket_url(database=name))) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == (name,)


def test_a_killed_server_starts_again_with_its_data(pg_cluster: Cluster) -> None:
    name = fresh("tests_db")
    pg_cluster.create_database(name)
    url = libpq(pg_cluster.url(database=name))
    with psycopg.connect(url) as connection:
        connection.execute("CREATE TABLE visit (id integer PRIMARY KEY, note text)")
        connection.execute("INSERT INTO visit VALUES (1, 'nekpijn')")
    killed = pg_cluster.postmaster_pid()
    held = psycopg.connect(url)  # a connection open while the server disappears
    try:
        pg_cluster.kill()
        assert pg_cluster.postmaster_pid() is None
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=2)
        with pytest.raises(psycopg.OperationalError):
            held.execute("SELECT 1")
    finally:
        held.close()
        pg_cluster.start()
    assert pg_cluster.postmaster_pid() not in (None, killed)
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT id, note FROM visit").fetchall() == [(1, "nekpijn")]


def test_stop_is_idempotent_and_start_uses_the_same_port(pg_cluster: Cluster) -> None:
    port = pg_cluster.port
    pg_cluster.stop()
    try:
        assert pg_cluster.postmaster_pid() is None
        pg_cluster.stop()  # nothing to stop: no error
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(libpq(pg_cluster.url()), connect_timeout=2)
    finally:
        pg_cluster.start()
    assert pg_cluster.port == port
    with psycopg.connect(libpq(pg_cluster.url())) as connection:
        assert connection.execute("SELECT current_user").fetchone() == (SUPERUSER,)
