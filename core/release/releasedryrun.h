#pragma once

#include "releaseplan.h"
#include "remotelayout.h"
#include "serverplan.h"
#include "ssh/hostkeyscanner.h"
#include "ssh/sshpool.h"
#include "ssh/sshtarget.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <memory>

class QThread;

namespace rd {

class KnownHosts;

// A release's dry run: for each server of a plan, its host key state, whether we can sign in, where
// its deploy root stands, the steps the release would run there and what would stop it. Changes
// nothing anywhere: the host keys are scanned and compared with known_hosts (nothing is accepted
// or remembered), the deploy root is only read, the lock is only looked at.
// Lives on the caller's thread; the scan runs on its own thread, the reading in an SshPool.
class ReleaseDryRun : public QObject
{
    Q_OBJECT

public:
    ReleaseDryRun(ReleasePlan plan, KnownHosts &knownHosts, QObject *parent = nullptr);
    ~ReleaseDryRun() override;

    // Servers are reported in the order they are added (the plan's).
    void addServer(SshTarget target);
    // A server that cannot even be tried (e.g. its key cannot be opened) is reported as blocked.
    void addUnreachableServer(const QString &server, const QString &host, const QString &error);
    // finished() always comes after start() has returned.
    void start();

    QList<ServerPlan> results() const;
    const ReleasePlan &plan() const { return m_plan; }

    // The releases a cleanup keeping `keep` would remove once `current` and `previous` are set, the
    // way RemoteLayout::cleanupCommand picks them.
    static QStringList releasesToClean(const QStringList &releases, const QString &current, const QString &previous,
                                       int keep);

signals:
    // Once every server is scanned and read (the key scan answers for all servers at once), in order.
    void serverPlanned(const rd::ServerPlan &server);
    void finished(const QList<rd::ServerPlan> &servers);

private:
    void onScanned();
    void onJobFinished(const QString &server, bool ok, const QString &message, const QString &hint);
    void finishIfDone();
    // The package form this server gets: its path here, its size (-1: missing) and compression.
    struct LocalPackage
    {
        QString path;
        qint64 bytes;
        RemoteLayout::Compression compression;
    };
    LocalPackage packageFor(const ServerPlan &server) const;
    // Delta or whole package, and why (sets atBaseCommit where a delta is in the plan).
    QString deliveryTo(ServerPlan &server) const;
    void judge(ServerPlan &server) const;
    void addSteps(ServerPlan &server) const;

    ReleasePlan m_plan;
    KnownHosts &m_knownHosts;
    SshPool m_pool;
    qint64 m_packageBytes = -1; // -1: the package file is missing
    qint64 m_zstdBytes = -1;    // the same for its .tar.zst form
    QStringList m_order;
    QHash<QString, ServerPlan> m_results;
    QHash<QString, std::shared_ptr<QStringList>> m_lines; // each written only by its server's job
    QList<HostKeyScanTarget> m_scanTargets;
    int m_scanTimeoutMs = 0;
    std::shared_ptr<QList<HostKeyScanResult>> m_scanned;
    std::unique_ptr<QThread> m_scanThread;
    bool m_started = false;
    bool m_scanDone = false;
    bool m_readDone = false;
    bool m_finished = false;
};

} // namespace rd
