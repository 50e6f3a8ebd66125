#pragma once

#include "releaseplan.h"
#include "remotelayout.h"
#include "ssh/sshjob.h"

#include <QCoreApplication>

#include <memory>
#include <optional>

class QFile;

namespace rd {

class NodeLog;
class SwitchGate;
struct ExecOptions;
struct ExecResult;

// A patch made by the lock command itself; OffBase: the server's live release is not the delta's
// base, so it gets the whole package.
enum class PatchOutcome
{
    NotRun,
    Applied,
    Failed,
    OffBase
};

// What a server's jobs find out, for the engine to act on. Written by the worker during a job and
// read by the engine once that job's result has arrived (the queued result orders the two).
struct NodeFacts
{
    QString previous;             // the release the server ran before this task's
    bool lockHeldByOther = false; // another release's lock refused this one
    bool lockTaken = false;
    bool uploadVerified = false; // by this run's upload
    bool sendZstd = false;       // the server has zstd and the plan a .tar.zst
    PatchOutcome patchAtLock = PatchOutcome::NotRun;
    QString wholeReason; // why the whole package rather than the delta; empty while the delta may do
    QString revertedTo;  // abort: the release switched back to; empty when left as it was
};

// The SSH jobs of one server's release: the lock (which may also patch, and wait at the gate and
// switch), the upload, the unpack with the before-release hook, the switch, the after-release hook,
// the health check, the switch back, the heartbeat, the revert of an aborted canary and the unlock.
// Made on the engine's thread; each job holds a copy of this object and runs in a pool worker.
class NodeJobs
{
    Q_DECLARE_TR_FUNCTIONS(ReleaseEngine)

public:
    // What every server's jobs of one task share.
    struct Task
    {
        ReleasePlan plan;
        QString logDirectory;
        QString owner; // the lock owner written on the servers
        bool switchAtLock = false;
    };
    struct Server
    {
        QString name;
        bool active = true;          // has work in this run
        bool unlockAtSwitch = false; // its switch command also cleans up and releases the lock
        bool patchAtLock = false;    // its lock command goes on with the patch
    };

    NodeJobs(std::shared_ptr<const Task> task, Server server, std::shared_ptr<NodeFacts> facts,
             std::shared_ptr<SwitchGate> gate);

    SshJob lock() const;
    SshJob upload() const;
    SshJob unpack() const;
    SshJob switchToTarget() const;
    SshJob afterRelease() const;
    SshJob health() const;
    SshJob switchBack() const;
    SshJob heartbeat() const;
    SshJob revert() const;
    SshJob unlock() const;

private:
    using InputSource = std::function<std::optional<QByteArray>()>;
    struct PackageForm;

    Result<> runLock(SshSession &session, const SshJobContext &context) const;
    Result<> runUnpack(SshSession &session, const SshJobContext &context) const;
    Result<> runSwitch(SshSession &session, const SshJobContext &context) const;
    Result<> runRevert(SshSession &session, const SshJobContext &context) const;
    // What the lock command's exit means once it ended without waiting at the gate.
    Result<> judgeLock(const ExecResult &locked, bool patchRan, int timeoutMs, NodeLog &log,
                       const std::function<void()> &readState) const;
    Result<> uploadWhole(SshSession &session, const SshJobContext &context, NodeLog &log) const;
    // A remote hook (or the health command) run in `releaseDir`, told the task's facts.
    Result<> runHook(SshSession &session, const SshJobContext &context, NodeLog &log, const QString &what,
                     const QString &script, const QString &stage, int timeoutMs) const;
    // The patch command. Its input is the package (opened into `package`), then what `afterPackage`
    // sends, or the end.
    Result<QString> patchCommand(std::optional<QFile> &package, ExecOptions &options,
                                 RemoteLayout::CurrentLink link, InputSource afterPackage = {}) const;
    PackageForm packageForm() const;
    QByteArray manifestJson() const;
    // A delta refused because the server is off its base: the server gets the whole package
    // instead (a patch task has no whole package, so there it is a failure).
    bool offBase(const ExecResult &result) const;
    QString deltaLine() const;
    QString patchingWhat() const;
    // The version this task switches the servers to.
    QString target() const;

    std::shared_ptr<const Task> m_task;
    Server m_server;
    std::shared_ptr<NodeFacts> m_facts;
    std::shared_ptr<SwitchGate> m_gate;
};

} // namespace rd
