#include "remotehook.h"

#include "ssh/remotecommand.h"

namespace rd {

QList<std::pair<QString, QString>> HookEnvironment::variables() const
{
    return {{QStringLiteral("RD_PROJECT"), project},       {QStringLiteral("RD_ENV"), environment},
            {QStringLiteral("RD_VERSION"), version},       {QStringLiteral("RD_COMMIT"), commit},
            {QStringLiteral("RD_REF"), ref},               {QStringLiteral("RD_STAGE"), stage},
            {QStringLiteral("RD_SERVER"), server},         {QStringLiteral("RD_DEPLOY_ROOT"), deployRoot},
            {QStringLiteral("RD_RELEASE_DIR"), releaseDir}, {QStringLiteral("RD_PREVIOUS_DIR"), previousDir}};
}

QString RemoteHook::command(const QString &script, const QString &workDir, const HookEnvironment &environment)
{
    QStringList exports;
    for (const auto &[name, value] : environment.variables())
        exports.append(RemoteCommand::assignment(name, value));
    return QStringLiteral("cd %1 || { echo %2 >&2; exit %3; }\nexport %4\nexec /bin/sh -e -c %5")
        .arg(RemoteCommand::quote(workDir),
             RemoteCommand::quote(QStringLiteral("the hook's directory %1 does not exist on this server").arg(workDir)),
             QString::number(MissingWorkDir), exports.join(u' '), RemoteCommand::quote(script));
}

} // namespace rd
