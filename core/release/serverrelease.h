#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace rd {

// One server's line in the fleet status: the release `current` points to (from its manifest),
// what else it keeps, its lock, and whether it drifts from the environment's release.
struct ServerRelease
{
    QString server; // inventory name
    QString host;
    bool reachable = false;
    QString error; // why the server could not be read, with what to do
    QString version; // empty when `current` points nowhere
    QString commit;
    QString ref;
    QString operatorName;
    QDateTime time; // when that release was unpacked, UTC; invalid when the manifest lacks it
    QStringList releases;
    qint64 freeKiB = -1;
    QString lockHolder; // empty when unlocked
    qint64 lockAgeSeconds = -1;
    bool drift = false; // reachable and not on the expected release
};

} // namespace rd
