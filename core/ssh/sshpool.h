#pragma once

#include "connectionthrottle.h"
#include "hostkeys/hostkeyinfo.h"
#include "sshjob.h"
#include "sshtarget.h"

#include <QObject>
#include <QStringList>

#include <atomic>
#include <map>
#include <optional>

class QThread;

namespace rd {

class KnownHosts;
class SshWorker;

// Runs jobs on many servers: one SshWorker on its own QThread per server, at most `parallelism`
// jobs at once (a job that only waits may give its slot back), new connections spaced by a throttle. A server's jobs run in order on one session,
// so later stages reuse the connection; its connection stays open until finish(). Lives on the
// thread that owns the task (the GUI thread in the app); all its signals arrive there.
class SshPool : public QObject
{
    Q_OBJECT

public:
    SshPool(KnownHosts &knownHosts, HostKeyPrompt prompt, int parallelism, int connectionsPerSecond,
            QObject *parent = nullptr);
    ~SshPool() override;

    void addServer(SshTarget target);
    // `beyondLimit`: a short job on a server that is already connected starts as soon as the server is
    // idle, even when `parallelism` jobs run (e.g. the switch, which every server of a batch must make
    // at once, and which may wait for the others while it holds its slot).
    int enqueue(const QString &server, SshJob job, bool beyondLimit = false);
    // No more jobs will come for the server: its connection closes once its queue is done.
    void finish(const QString &server);
    void finishAll();
    // Running jobs see the cancel flag; queued ones fail as cancelled.
    void cancel();
    // After a cancel, once its jobs have ended: accept work again (e.g. releasing locks).
    void resume() { m_cancel = false; }
    // Cancels, closes every session on its own thread and waits for every thread.
    void shutdown();

    bool isIdle() const;

signals:
    void logLine(const QString &server, const QString &line, bool isStderr);
    void progress(const QString &server, qint64 done, qint64 total);
    void connected(const QString &server, const QString &authMethod);
    // A running job has reached a point it names (SshJobContext::milestone); it arrives before jobFinished.
    void jobMilestone(int jobId, const QString &server, const QString &what);
    void jobFinished(int jobId, const QString &server, bool ok, const QString &message, const QString &hint);
    void serverClosed(const QString &server);
    void idle();

private:
    struct Server
    {
        std::optional<SshTarget> target;
        struct Queued
        {
            int id;
            SshJob job;
            bool beyondLimit;
        };
        QList<Queued> queue;
        bool finishing = false;
        bool closing = false;
        bool busy = false;
        bool yielded = false; // the running job waits and holds no slot
        SshWorker *worker = nullptr;
        QThread *thread = nullptr;
    };

    void reject(int jobId, const QString &name, const QString &message);
    void schedule();
    void startThread(const QString &name, Server &server);
    void dispatch(const QString &name);
    void closeWorker(Server &server);
    void releaseThread(Server &server);
    void onJobFinished(int jobId, const QString &name, bool ok, const QString &message, const QString &hint);
    void onSlotYielded(const QString &name);
    // The server's running job has ended or will never report: its slot is free.
    void endJob(Server &server);
    void onThreadFinished(const QString &name);

    KnownHosts &m_knownHosts;
    HostKeyPrompt m_prompt;
    int m_parallelism;
    ConnectionThrottle m_throttle;
    std::atomic_bool m_cancel = false;
    std::map<QString, Server> m_servers;
    QStringList m_ready; // servers with a queued job and none running, in turn order
    int m_running = 0;
    int m_threads = 0;
    int m_nextJobId = 1;
};

} // namespace rd
