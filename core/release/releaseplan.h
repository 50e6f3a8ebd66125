#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

namespace rd {

enum class ReleaseKind { Full, Rolling };

// Everything a release needs to know, fixed before it starts: which package goes where, how, and
// with which hooks. Built from the inventory and a prepared package; the engine only reads it.
struct ReleasePlan
{
    QString taskId;
    QString project;
    QString environment;
    QString deployRoot;
    QString version;
    QString commit;
    QString ref;
    QString operatorName;
    QString packagePath;   // local .tar.gz
    QString packageSha256; // hex
    QStringList sharedPaths;
    QString beforeReleaseHook;
    QString afterReleaseHook;
    QString healthCommand; // run in the new release after the switch; non-zero exit switches back
    int healthTimeoutMs = 60000;
    int hookTimeoutMs = 600000;
    int keepReleases = 5;
    ReleaseKind kind = ReleaseKind::Full;
    int batchSize = 1;     // rolling: servers per batch
    int failureBudget = 0; // servers that may fail before the rest is stopped
};

} // namespace rd
