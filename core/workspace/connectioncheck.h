#pragma once

#include "hostkeys/hostkeyinfo.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>

#include <memory>

namespace rd {

class SshPool;
class Workspace;
struct Server;

// Signs in to each server and runs `true`: the connection check behind "ssh check" and the app's
// "Check connection". Lives on the inventory's thread (keys are opened there); the servers are
// reached in the pool's SSH workers, and every signal arrives on the caller's thread.
class ConnectionCheck : public QObject
{
    Q_OBJECT

public:
    struct Limits
    {
        int parallelism = 20;
        int connectTimeoutMs = 10000;
        int connectionsPerSecond = 50;
    };

    ConnectionCheck(Workspace &workspace, HostKeyPrompt prompt, Limits limits, QObject *parent = nullptr);
    ~ConnectionCheck() override;

    // Checks every server; one whose key cannot be used (a locked vault, a missing key file) is
    // reported failed before start() returns. finished() follows once every server has answered.
    void start(const QList<Server> &servers);
    // Stops what has not answered yet; those servers are reported as stopped.
    void cancel();
    bool isRunning() const { return m_running; }

signals:
    void connected(const QString &server, const QString &authMethod);
    // `seconds` from the start of its check; negative for a server that could not be tried.
    void serverFinished(const QString &server, bool ok, const QString &message, const QString &hint,
                        double seconds);
    void finished();

private:
    void answer(const QString &server, bool ok, const QString &message, const QString &hint);
    void onIdle();

    Workspace &m_workspace;
    Limits m_limits;
    std::unique_ptr<SshPool> m_pool;
    QHash<QString, QElapsedTimer> m_pending; // started, not answered yet
    bool m_running = false;
};

} // namespace rd
