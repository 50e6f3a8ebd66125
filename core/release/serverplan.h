#pragma once

#include "hostkeys/hostkeyinfo.h"

#include <QStringList>

#include <optional>

namespace rd {

// What a release would do on one server and what would stop it, as a dry run finds it.
struct ServerPlan
{
    QString server; // inventory name
    QString host;
    // The key the server offers and what our known_hosts says of it; empty when the scan did not reach it.
    std::optional<HostKeyState> hostKey;
    QString fingerprint;       // offered, "SHA256:..."
    QString storedFingerprint; // for a changed key: the one known_hosts holds
    bool reachable = false;    // answered the key scan or a login
    bool authOk = false;       // signed in and read the deploy root
    QString error;             // why it could not sign in or read, when it could not

    // The deploy root as read (only when authOk).
    bool rootExists = false;
    QString current;
    QString previous;
    QString currentCommit; // from the current release's manifest
    QStringList releases;
    qint64 freeKiB = -1;
    bool hasZstd = false; // gets the package's .tar.zst form
    qint64 packageBytes = 0; // 0 for a rollback: nothing is uploaded
    QString lockHolder;
    qint64 lockAgeSeconds = -1;
    bool lockIsOurs = false; // held by this very task (a resume takes it back)

    std::optional<bool> atBaseCommit;       // patch, and a delta's base
    // How the release reaches the server: "delta: N files, X" or "whole package: why".
    QString delivery;
    std::optional<bool> rollbackTargetKept; // rollback only
    QStringList toClean; // releases the cleanup after this release would remove, given keepReleases

    QStringList steps;    // human readable, in the order they would run
    QStringList warnings; // worth a look, do not stop the release
    QStringList blockers; // would stop the release on this server

    bool blocked() const { return !blockers.isEmpty(); }
};

} // namespace rd
