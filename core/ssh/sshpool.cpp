#include "sshpool.h"

#include "sshworker.h"

#include <QThread>

#include <openssl/crypto.h>

namespace rd {

SshPool::SshPool(KnownHosts &knownHosts, HostKeyPrompt prompt, int parallelism, int connectionsPerSecond,
                 QObject *parent)
    : QObject(parent), m_knownHosts(knownHosts), m_prompt(std::move(prompt)), m_parallelism(qMax(1, parallelism)),
      m_throttle(connectionsPerSecond)
{
}

SshPool::~SshPool() { shutdown(); }

void SshPool::addServer(SshTarget target)
{
    const QString name = target.name;
    m_servers[name].target.emplace(std::move(target));
}

void SshPool::reject(int jobId, const QString &name, const QString &message)
{
    // Reported like any other failure, so callers handle one path.
    QMetaObject::invokeMethod(
        this, [this, jobId, name, message] { emit jobFinished(jobId, name, false, message, {}); },
        Qt::QueuedConnection);
}

int SshPool::enqueue(const QString &name, SshJob job, bool beyondLimit)
{
    const int id = m_nextJobId++;
    auto found = m_servers.find(name);
    if (found == m_servers.end()) {
        reject(id, name, tr("%1 was not added to this run.").arg(name));
        return id;
    }
    Server &server = found->second;
    if (server.finishing || (!server.target && !server.worker)) {
        reject(id, name, tr("The connection to %1 is already closed; this job was not run.").arg(name));
        return id;
    }
    server.queue.append({id, std::move(job), beyondLimit});
    if (beyondLimit && server.worker && !server.busy && server.queue.size() == 1) {
        m_ready.removeAll(name);
        dispatch(name);
        return id;
    }
    if (!server.busy && !m_ready.contains(name))
        m_ready.append(name);
    schedule();
    return id;
}

void SshPool::finish(const QString &name)
{
    auto found = m_servers.find(name);
    if (found == m_servers.end())
        return;
    Server &server = found->second;
    server.finishing = true;
    if (!server.busy && server.queue.isEmpty())
        closeWorker(server);
}

void SshPool::finishAll()
{
    for (auto &[name, server] : m_servers)
        finish(name);
}

void SshPool::cancel() { m_cancel = true; }

bool SshPool::isIdle() const { return m_running == 0 && m_ready.isEmpty() && m_threads == 0; }

// Parallelism counts running jobs, not connections: a server waiting between stages (e.g. for the
// whole batch before a switch) keeps its session but not a slot.
void SshPool::schedule()
{
    while (m_running < m_parallelism && !m_ready.isEmpty())
        dispatch(m_ready.takeFirst());
}

void SshPool::startThread(const QString &name, Server &server)
{
    auto *thread = new QThread;
    thread->setObjectName(QStringLiteral("ssh:") + name);
    // The target (and its secrets) moves into the worker: a server connects once per pool.
    auto *worker = new SshWorker(std::move(*server.target), m_knownHosts, m_prompt, m_throttle, m_cancel);
    server.target.reset();
    worker->moveToThread(thread);
    connect(worker, &SshWorker::logLine, this, &SshPool::logLine);
    connect(worker, &SshWorker::progress, this, &SshPool::progress);
    connect(worker, &SshWorker::milestone, this, &SshPool::jobMilestone);
    connect(worker, &SshWorker::slotYielded, this, &SshPool::onSlotYielded);
    connect(worker, &SshWorker::connected, this, &SshPool::connected);
    connect(worker, &SshWorker::jobFinished, this, &SshPool::onJobFinished);
    connect(worker, &SshWorker::closed, this, &SshPool::serverClosed);
    connect(thread, &QThread::finished, this, [this, name] { onThreadFinished(name); });
    server.worker = worker;
    server.thread = thread;
    ++m_threads;
    thread->start();
}

void SshPool::dispatch(const QString &name)
{
    Server &server = m_servers[name];
    if (server.busy || server.queue.isEmpty())
        return;
    if (!server.worker)
        startThread(name, server);
    Server::Queued next = server.queue.takeFirst();
    server.busy = true;
    ++m_running;
    SshWorker *worker = server.worker;
    QMetaObject::invokeMethod(worker, [worker, id = next.id, job = std::move(next.job)] { worker->run(id, job); },
                              Qt::QueuedConnection);
}

void SshPool::closeWorker(Server &server)
{
    if (!server.worker || server.closing)
        return;
    server.closing = true;
    SshWorker *worker = server.worker;
    QMetaObject::invokeMethod(
        worker,
        [worker] {
            worker->close();
            // The thread's OpenSSL state (libssh2's crypto) is freed here, while the pool still waits
            // for the thread. Left to the thread's exit it is freed by a pthread key destructor that
            // runs after QThread::wait() has returned: a pool destroyed just before the process ends
            // (a gray task paused by the CLI) then races OpenSSL's atexit cleanup, a double free or
            // SIGSEGV at exit.
            OPENSSL_thread_stop();
            QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
}

void SshPool::onJobFinished(int jobId, const QString &name, bool ok, const QString &message, const QString &hint)
{
    Server &server = m_servers[name];
    endJob(server);
    emit jobFinished(jobId, name, ok, message, hint);
    if (!server.queue.isEmpty() && server.queue.first().beyondLimit && !server.busy) {
        m_ready.removeAll(name);
        dispatch(name);
    } else if (!server.queue.isEmpty()) {
        if (!m_ready.contains(name))
            m_ready.append(name);
    } else if (server.finishing) {
        closeWorker(server);
    }
    schedule();
    if (isIdle())
        emit idle();
}

void SshPool::onSlotYielded(const QString &name)
{
    Server &server = m_servers[name];
    if (!server.busy || server.yielded)
        return;
    server.yielded = true;
    --m_running;
    schedule();
}

void SshPool::endJob(Server &server)
{
    if (!server.busy)
        return;
    if (!server.yielded)
        --m_running;
    server.busy = false;
    server.yielded = false;
}

void SshPool::onThreadFinished(const QString &name)
{
    Server &server = m_servers[name];
    if (!server.thread)
        return;
    releaseThread(server);
    if (isIdle())
        emit idle();
}

void SshPool::shutdown()
{
    m_cancel = true;
    m_ready.clear();
    for (auto &[name, server] : m_servers) {
        server.queue.clear();
        closeWorker(server);
    }
    for (auto &[name, server] : m_servers) {
        if (server.thread)
            releaseThread(server);
    }
}

void SshPool::releaseThread(Server &server)
{
    // The worker's thread has ended (or is ending): deleting it from here is safe once it is waited for.
    server.thread->wait();
    delete server.worker;
    delete server.thread;
    server.worker = nullptr;
    server.thread = nullptr;
    --m_threads;
    endJob(server); // shut down while a job ran: its result will never come
}

} // namespace rd
