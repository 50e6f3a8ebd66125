#include "sshpool.h"

#include "sshworker.h"

#include <QThread>

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

int SshPool::enqueue(const QString &name, SshJob job)
{
    const int id = m_nextJobId++;
    auto found = m_servers.find(name);
    if (found == m_servers.end()) {
        // Reported like any other failure, so callers handle one path.
        QMetaObject::invokeMethod(
            this,
            [this, id, name] {
                emit jobFinished(id, name, false, tr("%1 was not added to this run.").arg(name), {});
            },
            Qt::QueuedConnection);
        return id;
    }
    Server &server = found->second;
    server.queue.append({id, std::move(job)});
    if (server.worker)
        dispatch(name);
    else if (!m_waiting.contains(name))
        m_waiting.append(name);
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
    if (server.worker && !server.busy && server.queue.isEmpty())
        closeWorker(server);
}

void SshPool::finishAll()
{
    for (auto &[name, server] : m_servers)
        finish(name);
}

void SshPool::cancel() { m_cancel = true; }

bool SshPool::isIdle() const { return m_active == 0 && m_waiting.isEmpty(); }

void SshPool::schedule()
{
    while (m_active < m_parallelism && !m_waiting.isEmpty())
        start(m_waiting.takeFirst());
}

void SshPool::start(const QString &name)
{
    Server &server = m_servers[name];
    if (!server.target) // a server runs once per pool: its target (and its secrets) moved into the worker
        return;
    auto *thread = new QThread;
    thread->setObjectName(QStringLiteral("ssh:") + name);
    auto *worker = new SshWorker(std::move(*server.target), m_knownHosts, m_prompt, m_throttle, m_cancel);
    server.target.reset();
    worker->moveToThread(thread);
    connect(worker, &SshWorker::logLine, this, &SshPool::logLine);
    connect(worker, &SshWorker::progress, this, &SshPool::progress);
    connect(worker, &SshWorker::connected, this, &SshPool::connected);
    connect(worker, &SshWorker::jobFinished, this, &SshPool::onJobFinished);
    connect(worker, &SshWorker::closed, this, &SshPool::serverClosed);
    connect(thread, &QThread::finished, this, [this, name] { onThreadFinished(name); });
    server.worker = worker;
    server.thread = thread;
    ++m_active;
    thread->start();
    dispatch(name);
}

void SshPool::dispatch(const QString &name)
{
    Server &server = m_servers[name];
    if (server.busy || !server.worker)
        return;
    if (server.queue.isEmpty()) {
        if (server.finishing)
            closeWorker(server);
        return;
    }
    auto [id, job] = server.queue.takeFirst();
    server.busy = true;
    SshWorker *worker = server.worker;
    QMetaObject::invokeMethod(worker, [worker, id, job = std::move(job)] { worker->run(id, job); },
                              Qt::QueuedConnection);
}

void SshPool::closeWorker(Server &server)
{
    SshWorker *worker = server.worker;
    QMetaObject::invokeMethod(
        worker,
        [worker] {
            worker->close();
            QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
}

void SshPool::onJobFinished(int jobId, const QString &name, bool ok, const QString &message, const QString &hint)
{
    m_servers[name].busy = false;
    emit jobFinished(jobId, name, ok, message, hint);
    dispatch(name);
}

void SshPool::onThreadFinished(const QString &name)
{
    Server &server = m_servers[name];
    if (!server.thread)
        return;
    releaseThread(server);
    // Jobs still queued for a closed server can no longer run.
    for (const auto &[id, job] : std::as_const(server.queue))
        emit jobFinished(id, name, false, tr("The connection to %1 was closed before this job ran.").arg(name), {});
    server.queue.clear();
    --m_active;
    schedule();
    if (isIdle())
        emit idle();
}

void SshPool::shutdown()
{
    m_cancel = true;
    m_waiting.clear();
    for (auto &[name, server] : m_servers) {
        if (!server.thread)
            continue;
        server.queue.clear();
        closeWorker(server);
    }
    for (auto &[name, server] : m_servers) {
        if (!server.thread)
            continue;
        releaseThread(server);
        --m_active;
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
}

} // namespace rd
