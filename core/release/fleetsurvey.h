#pragma once

#include "remotelayout.h"
#include "ssh/hostkeyinfo.h"
#include "ssh/sshpool.h"
#include "ssh/sshtarget.h"

#include <QList>
#include <QObject>

#include <memory>

namespace rd {

class KnownHosts;

// What one server's deploy root holds, or why it could not be read.
struct ServerSurvey
{
    QString server;
    QString host;
    bool reachable = false;
    QString error;
    RemoteState state;
};

// Reads every server's deploy root at once (where `current` points, its manifest, the kept
// releases, free disk, the lock) and changes nothing. Servers whose host key is not known yet
// are reported, never trusted. Lives on the caller's thread; the reading runs in an SshPool.
class FleetSurvey : public QObject
{
    Q_OBJECT

public:
    FleetSurvey(KnownHosts &knownHosts, QString deployRoot, int parallelism, QObject *parent = nullptr);
    ~FleetSurvey() override;

    void addServer(SshTarget target);
    void start();
    // In the order the servers were added, once all have answered or failed.
    QList<ServerSurvey> results() const;

signals:
    void finished();

private:
    QString m_deployRoot;
    SshPool m_pool;
    QStringList m_order;
    QHash<QString, ServerSurvey> m_results;
    QHash<QString, std::shared_ptr<QStringList>> m_lines; // each written only by its server's job
    bool m_started = false;
};

} // namespace rd
