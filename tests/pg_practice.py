"""A practice's records server for a test: a fresh database in the session's private cluster
(tests/pg_cluster.py), set up by `practice init` as its owner, with one therapist's role and
one admin's (role names are the cluster's: each test gets its own)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import psycopg

from assistant.records import practice
from assistant.records.server import PracticeServer
from tests.pg_cluster import Cluster

_numbers = itertools.count(1)
PASSWORD = "een-lang-wachtwoord"


@dataclass(frozen=True)
class Practice:
    cluster: Cluster
    database: str
    therapist: str  # role of a therapist
    other: str  # a second therapist
    admin: str  # the practice's admin (a therapist who may erase and read the log)

    def url(self, role: str | None = None, password: str | None = PASSWORD) -> str:
        """The address with the role's password in it (None: the owner, the superuser)."""
        if role is None:
            return self.cluster.url(database=self.database)
        return self.cluster.url(user=role, password=password, database=self.database)

    def server(self, role: str | None = None) -> PracticeServer:
        return PracticeServer.parse(self.url(role))

    def copy(self) -> str:
        """A new database copied from this one (its tables, grants and rows), as its admin's
        address: a test's own practice server in some 50 ms."""
        name = f"{self.database}_{next(_numbers)}"
        with psycopg.connect(self.cluster.url().replace("+psycopg", ""),
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.database}"')
        return self.cluster.url(user=self.admin, password=PASSWORD, database=name)


def new_practice(cluster: Cluster) -> Practice:
    """A new database, initialised, with three roles: two therapists and an admin."""
    n = next(_numbers)
    found = Practice(cluster, f"praktijk_{n}", f"anna_{n}", f"bram_{n}", f"beheer_{n}")
    cluster.create_database(found.database)
    owner = found.server()
    practice.init(owner)
    for role in (found.therapist, found.other):
        practice.add_therapist(owner, role, password=PASSWORD)
    practice.add_therapist(owner, found.admin, password=PASSWORD, admin=True)
    return found
