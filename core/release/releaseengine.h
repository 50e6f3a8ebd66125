#pragma once

#include "nodestate.h"
#include "releaseplan.h"
#include "ssh/hostkeyinfo.h"
#include "ssh/sshpool.h"
#include "ssh/sshtarget.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

#include <memory>

namespace rd {

class KnownHosts;

// Runs stages 06-10 of one release across its servers and decides what happens next after each
// result. Lives on the thread that owns the task; all remote work runs in the SshPool's workers.
//
// Full: every server uploads, unpacks and runs its before-release hook; only when all are ready
// (or the failures fit the failure budget) do the ready ones switch, together, so the window in
// which servers run different versions is as short as one switch. Rolling: the same, one batch
// of servers at a time, stopping once the failure budget is spent. A failed health check switches
// that server back to its previous release. Every locked server is unlocked at the end.
class ReleaseEngine : public QObject
{
    Q_OBJECT

public:
    ReleaseEngine(ReleasePlan plan, KnownHosts &knownHosts, HostKeyPrompt prompt, int parallelism,
                  QString logDirectory, QObject *parent = nullptr);
    ~ReleaseEngine() override;

    // Servers run in the order added; a server can be added once.
    void addServer(SshTarget target);
    void start();
    // Running stages are cancelled, nothing else starts, locks are released.
    void abort();

    NodeState state(const QString &server, NodeStage stage) const;
    QStringList servers() const { return m_order; }
    // From the first switch starting to the last one done, in the last batch that switched.
    qint64 switchWindowMs() const { return m_switchWindowMs; }
    int failedServers() const;
    bool isFinished() const { return m_finished; }

signals:
    void nodeChanged(const QString &server, rd::NodeStage stage, rd::NodeState state, const QString &detail);
    void logLine(const QString &server, const QString &line, bool isStderr);
    void uploadProgress(const QString &server, qint64 done, qint64 total);
    void finished(bool ok, const QString &summary);

private:
    enum class Step { Prepare, Unpack, Switch, AfterRelease, Health, Unlock };

    struct Node
    {
        QString name;
        QHash<int, NodeState> states; // by NodeStage
        bool failed = false;
        bool ready = false;    // unpacked and before-release done: may switch
        bool switched = false;
        bool done = false;
        // Written by the worker during its job, read here once the job's result has arrived.
        std::shared_ptr<QString> previous = std::make_shared<QString>();
        std::shared_ptr<bool> lockTaken = std::make_shared<bool>(false);
    };

    void startBatch();
    void enqueue(Node &node, Step step);
    SshJob jobFor(const Node &node, Step step) const;
    void onJobFinished(int jobId, const QString &server, bool ok, const QString &message, const QString &hint);
    void setState(Node &node, NodeStage stage, NodeState state, const QString &detail = {});
    void failNode(Node &node, NodeStage stage, NodeState state, const QString &error);
    void release(Node &node);
    void afterPrepareOrUnpack();
    void maybeFinishBatch();
    void finish();
    QString owner() const;
    QList<Node *> batchNodes();
    bool budgetSpent() const;

    ReleasePlan m_plan;
    QString m_logDirectory;
    SshPool m_pool;
    QHash<QString, Node> m_nodes;
    QStringList m_order;
    QHash<int, std::pair<QString, Step>> m_jobs;
    int m_batchStart = 0;
    int m_batchEnd = 0;
    bool m_switchPhase = false;
    bool m_aborted = false;
    bool m_finished = false;
    QStringList m_unlockAfterAbort;
    QElapsedTimer m_switchClock;
    int m_switchesLeft = 0;
    qint64 m_switchWindowMs = -1;
};

} // namespace rd
