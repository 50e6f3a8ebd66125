#pragma once

#include "common/error.h"

#include <QCoreApplication>
#include <QMap>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace rd {

// What a local hook is told, as environment variables:
//   RD_PROJECT   project name              RD_ENV      environment name (may be empty)
//   RD_VERSION   version id being built    RD_COMMIT   full commit id
//   RD_REF       the ref the operator chose (branch, tag or id)
//   RD_WORK_DIR  the directory the hook runs in (the checkout)
//   RD_STAGE     before-download or after-download
struct LocalHookContext
{
    QString project;
    QString environment;
    QString version;
    QString commit;
    QString ref;
    QString stage;
};

struct LocalHookRequest
{
    QString title; // for messages, e.g. "after-download hook"
    QString script;
    QString workDir;
    LocalHookContext context;
    int timeoutMs = 30 * 60 * 1000;
    const std::atomic_bool *cancel = nullptr;
    // Each line of output as it arrives, from the thread that runs the hook; stderr lines have isError set.
    std::function<void(const QString &line, bool isError)> onLine;
    int tailLines = 20; // how many last lines a failure quotes
};

// Runs an operator's script on the workstation with `/bin/sh -c` in its own process group (setsid),
// so that a time limit or cancel stops the script and everything it started. run() blocks with an
// event loop of its own: call it from a worker thread, never from the GUI thread.
class LocalHook
{
    Q_DECLARE_TR_FUNCTIONS(LocalHook)

public:
    static Result<> run(const LocalHookRequest &request);
    static QMap<QString, QString> variables(const LocalHookContext &context, const QString &workDir);
};

} // namespace rd
