#pragma once

#include <QList>
#include <QString>

#include <utility>

namespace rd {

// What a remote hook knows about the release it runs for, as RD_* environment variables.
struct HookEnvironment
{
    QString project;
    QString environment;
    QString version;
    QString commit;
    QString ref;
    QString stage;
    QString server;
    QString deployRoot;
    QString releaseDir;
    QString previousDir;

    QList<std::pair<QString, QString>> variables() const;
};

// The command that runs an operator's hook script on a server: in the given directory, with the
// RD_* variables exported (quoted, so their values are never parsed by the shell) and `sh -e`, so
// the first failing command fails the hook.
class RemoteHook
{
public:
    static constexpr int MissingWorkDir = 97;

    static QString command(const QString &script, const QString &workDir, const HookEnvironment &environment);
};

} // namespace rd
