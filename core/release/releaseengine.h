#pragma once

#include "nodejobs.h"
#include "nodestate.h"
#include "releaseplan.h"
#include "hostkeys/hostkeyinfo.h"
#include "ssh/sshpool.h"
#include "ssh/sshtarget.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

namespace rd {

class HttpHealthCheck;
class KnownHosts;
class SwitchGate;

// Runs stages 06-10 of one release across its servers and decides what happens next after each
// result. Lives on the thread that owns the task; all remote work runs in the SshPool's workers.
//
// First every server is locked (a lock held by another release refuses the whole task before
// anything is switched; a patch is made by the lock command itself, one command fewer per server,
// and stays unswitched beside the live release when the task is refused). Then, batch by batch,
// servers upload, unpack and run their before-release hook; only when the whole batch is ready
// (or its failures fit the failure budget) do the ready ones switch, together, so the
// mixed-version window is as short as one switch. Full and patch releases are one batch; rolling
// ones batches of `batchSize`; gray ones the canaries, then a pause until promote(), then the
// rest; a rollback switches to a release the servers already have. A failed health check
// switches that server back. Every lock is released at the end.
class ReleaseEngine : public QObject
{
    Q_OBJECT

public:
    ReleaseEngine(ReleasePlan plan, KnownHosts &knownHosts, HostKeyPrompt prompt, int parallelism,
                  QString logDirectory, QObject *parent = nullptr);
    ~ReleaseEngine() override;

    // Servers run in the order added; a server can be added once.
    void addServer(SshTarget target);
    // Resume or retry: the stages a server already went through. It runs again from its first stage
    // that did not succeed; a server whose every stage succeeded is left alone.
    void restoreServer(const QString &server, const QHash<int, NodeState> &states);
    // Gray: the canaries were promoted before, so the rest follows without a pause.
    void setPromoted(bool promoted) { m_promoted = promoted; }
    void start();
    // Gray: the canaries are fine, release the rest.
    void promote();
    // Running stages are cancelled, nothing else starts, locks are released.
    void abort();
    // Abort of a task no process runs any more (e.g. a gray task paused by the CLI): the canaries
    // switch back as after abort(), then this task's locks are released on every server.
    void unlockOnly();
    // Gray before promotion: an abort switches each canary that runs this task's release back to the
    // release it ran before (the server's own record of it), under this task's lock. Off, the
    // canaries keep the new release.
    void setRevertCanariesOnAbort(bool revert) { m_revertCanaries = revert; }
    // Deploy locks an unlock could not release (server: why).
    QStringList unlockErrors() const { return m_unlockErrors; }
    // Rolling and batched releases: hold before the next batch (heldAfterBatch()), so the operator
    // can look at the servers released so far; turning it off goes on with the next batch.
    void setPauseAfterBatch(bool pause);
    bool isHeld() const { return m_phase == Phase::Held; }

    NodeState state(const QString &server, NodeStage stage) const;
    QStringList servers() const { return m_order; }
    // From the first switch starting to the last one done, in the last batch that switched.
    qint64 switchWindowMs() const { return m_switchWindowMs; }
    int failedServers() const;
    bool isFinished() const { return m_finished; }
    bool isAwaitingPromotion() const { return m_awaitingPromotion; }
    // Who holds the lock that refused this task; empty when none did.
    QString lockConflict() const { return m_lockConflict; }
    // The lock owner written on the servers: the same for every process that runs this task.
    static QString lockOwner(const ReleasePlan &plan);
    // How often a held lock is refreshed while its server is idle; every step refreshes it too.
    static constexpr int HeartbeatSeconds = 60;

signals:
    void nodeChanged(const QString &server, rd::NodeStage stage, rd::NodeState state, const QString &detail);
    void logLine(const QString &server, const QString &line, bool isStderr);
    void uploadProgress(const QString &server, qint64 done, qint64 total);
    void awaitingPromotion(const QString &summary);
    void promoted();
    void heldAfterBatch(const QString &summary);
    void finished(bool ok, const QString &summary);

private:
    enum class Step { Lock, Upload, Unpack, Switch, AfterRelease, Health, SwitchBack, Heartbeat, Unlock, Revert };
    enum class Phase { Locking, Batches, Held, Paused, Soaking, Unlocking, Done };

    struct Node
    {
        QString name;
        QString host;
        QHash<int, NodeState> states; // by NodeStage
        NodeStage startAt = NodeStage::Upload;
        bool active = true;    // has work in this run
        bool failed = false;
        bool ready = false;    // unpacked and before-release done: may switch
        bool switched = false;
        bool done = false;     // nothing more to do in its batch
        bool locked = false;
        bool unlockAtSwitch = false; // its switch command also cleans up and releases the lock
        bool atGate = false;         // its lock command waits at the switch gate (switchAtLock)
        bool canary = false;
        QString healthError; // why the health check failed, while switching back
        std::shared_ptr<NodeFacts> facts = std::make_shared<NodeFacts>(); // what its jobs found out
    };

    void startBatches();
    void startBatch();
    void startNode(Node &node);
    void enqueue(Node &node, Step step);
    SshJob jobFor(const Node &node, Step step) const;
    void onJobFinished(int jobId, const QString &server, bool ok, const QString &message, const QString &hint);
    void onJobMilestone(int jobId, const QString &server, const QString &what);
    void onLocked(Node &node, bool ok, const QString &error, bool heldByOther);
    void onHttpFinished(const QString &server, bool healthy, const QString &message);
    void healthPassed(Node &node);
    void healthFailed(Node &node, const QString &error);
    void setState(Node &node, NodeStage stage, NodeState state, const QString &detail = {});
    void failNode(Node &node, NodeStage stage, NodeState state, const QString &error);
    void nodeDone(Node &node);
    void afterPrepareOrUnpack();
    void maybeFinishBatch();
    void pause();
    void soakOver();
    void unlockAll();
    void finish();
    void heartbeat();
    QList<Node *> batchNodes();
    bool budgetSpent() const;
    bool nothingAfterSwitch() const;
    // A stage the plan gives nothing to do (no after-release hook, no health check): marked skipped,
    // and done all the same.
    bool nothingToDo(NodeStage stage) const;
    bool stageDone(const Node &node, NodeStage stage) const;
    bool switchEndsTask() const;
    bool patchesAtLock(const Node &node) const;
    bool canSwitchAtLock() const;
    void withdrawFromGate();
    bool revertsOnAbort(const Node &node) const;
    int activeCount() const;

    ReleasePlan m_plan;
    QString m_logDirectory;
    // A patch whose lock commands also wait at the gate and switch: one command per server.
    bool m_switchAtLock = false;
    SshPool m_pool;
    HttpHealthCheck *m_http = nullptr;
    QHash<QString, Node> m_nodes;
    QStringList m_order;
    QStringList m_queue;   // active servers, in the order their batches run
    QHash<int, std::pair<QString, Step>> m_jobs;
    Phase m_phase = Phase::Locking;
    int m_locksPending = 0;
    QString m_lockConflict;
    int m_batchStart = 0;
    int m_batchEnd = 0;
    int m_canaryCount = 0; // gray: the first batch
    bool m_switchPhase = false;
    bool m_aborted = false;
    bool m_revertCanaries = true;
    bool m_promoted = false;
    bool m_promoteWhenCanariesAreOut = false;
    bool m_pauseAfterBatch = false;
    bool m_awaitingPromotion = false;
    bool m_finished = false;
    int m_unlocksPending = 0;
    QStringList m_unlockErrors;
    QTimer m_soakTimer;
    QTimer m_heartbeatTimer;
    std::shared_ptr<SwitchGate> m_switchGate; // of the batch switching now (with switchAtLock, from the start)
    int m_switchesLeft = 0;
    qint64 m_switchWindowMs = -1;
};

} // namespace rd
