#pragma once

#include "hostkeys/hostkeyinfo.h"
#include "sshjob.h"
#include "sshtarget.h"

#include <QObject>

#include <memory>

namespace rd {

class ConnectionThrottle;
class KnownHosts;
class SshSession;

// One server connection, living on its own QThread: the session is created (or taken from the
// SessionCache), used and closed (or given back to it) on that thread only. Jobs arrive as queued
// calls and run one after another on the same session.
class SshWorker : public QObject
{
    Q_OBJECT

public:
    SshWorker(SshTarget target, KnownHosts &knownHosts, HostKeyPrompt prompt, ConnectionThrottle &throttle,
              const std::atomic_bool &cancel);
    ~SshWorker() override;

    QString server() const { return m_server; }

    // Called on the worker's thread (through QMetaObject::invokeMethod).
    void run(int jobId, const SshJob &job);
    void close();

signals:
    void logLine(const QString &server, const QString &line, bool isStderr);
    void progress(const QString &server, qint64 done, qint64 total);
    void milestone(int jobId, const QString &server, const QString &what);
    void slotYielded(const QString &server);
    void connected(const QString &server, const QString &authMethod);
    void jobFinished(int jobId, const QString &server, bool ok, const QString &message, const QString &hint);
    void closed(const QString &server);

private:
    QString m_server;
    SshTarget m_target;
    KnownHosts &m_knownHosts;
    HostKeyPrompt m_prompt;
    ConnectionThrottle &m_throttle;
    const std::atomic_bool &m_cancel;
    QString m_cacheKey;
    std::unique_ptr<SshSession> m_session;
    bool m_sessionClean = true; // no job failed or was cancelled on it: it may serve another task
    std::optional<Error> m_connectError; // a failed connection fails every later job the same way
};

} // namespace rd
