#pragma once

#include "serverrelease.h"
#include "ssh/sshpool.h"
#include "ssh/sshtarget.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <memory>

namespace rd {

class KnownHosts;

// Reads the release every server of an environment runs, all servers at once, and which of them
// drift from the environment's release. Changes nothing: a host key met for the first time is
// refused, never trusted. Lives on the caller's thread; the reading runs in an SshPool.
class FleetStatus : public QObject
{
    Q_OBJECT

public:
    FleetStatus(KnownHosts &knownHosts, QString deployRoot, int parallelism, QObject *parent = nullptr);
    ~FleetStatus() override;

    // Servers are reported in the order they are added (the inventory's).
    void addServer(SshTarget target);
    // A server that cannot even be tried (e.g. its key cannot be opened) is still reported.
    void addUnreachableServer(const QString &server, const QString &host, const QString &error);
    // The release every server should run, e.g. the last succeeded task's. Empty (the default):
    // the newest version (by its number) that is current on any server.
    void setExpectedVersion(const QString &version) { m_expected = version; }
    // finished() always comes after start() has returned.
    void start();

    // The release drift is measured against; known once finished() has been emitted.
    QString expectedVersion() const { return m_expected; }
    QList<ServerRelease> results() const;

signals:
    // As each server answers or fails. `drift` is final here only with an explicit expected version;
    // otherwise it is decided once every server is read.
    void serverRead(const rd::ServerRelease &server);
    void finished(const QList<rd::ServerRelease> &servers);

private:
    void onJobFinished(const QString &server, bool ok, const QString &message, const QString &hint);
    void finish();

    QString m_deployRoot;
    QString m_expected;
    SshPool m_pool;
    QStringList m_order;
    QHash<QString, ServerRelease> m_results;
    QHash<QString, std::shared_ptr<QStringList>> m_lines; // each written only by its server's job
    bool m_started = false;
    bool m_finished = false;
};

} // namespace rd
