#include "sshworker.h"

#include "connectionthrottle.h"
#include "knownhosts.h"
#include "sshsession.h"

namespace rd {

SshWorker::SshWorker(SshTarget target, KnownHosts &knownHosts, HostKeyPrompt prompt, ConnectionThrottle &throttle,
                     const std::atomic_bool &cancel)
    : m_server(target.name), m_target(std::move(target)), m_knownHosts(knownHosts), m_prompt(std::move(prompt)),
      m_throttle(throttle), m_cancel(cancel)
{
}

SshWorker::~SshWorker() = default;

void SshWorker::run(int jobId, const SshJob &job)
{
    if (!m_session && !m_connectError) {
        if (!m_throttle.acquire(&m_cancel)) {
            emit jobFinished(jobId, m_server, false, tr("Cancelled before connecting to %1.").arg(m_server), {});
            return;
        }
        auto session = SshSession::connect(std::move(m_target), m_knownHosts, m_prompt, &m_cancel);
        if (session) {
            m_session = std::move(*session);
            emit connected(m_server, m_session->authenticatedWith());
        } else {
            m_connectError = session.error();
        }
    }
    if (m_connectError) {
        emit jobFinished(jobId, m_server, false, m_connectError->message, m_connectError->hint);
        return;
    }
    if (m_cancel.load()) {
        emit jobFinished(jobId, m_server, false, tr("Cancelled before it started on %1.").arg(m_server), {});
        return;
    }
    SshJobContext context;
    context.cancel = &m_cancel;
    context.log = [this](const QString &line, bool isStderr) { emit logLine(m_server, line, isStderr); };
    context.progress = [this](qint64 done, qint64 total) { emit progress(m_server, done, total); };
    const Result<> result = job(*m_session, context);
    if (result)
        emit jobFinished(jobId, m_server, true, {}, {});
    else
        emit jobFinished(jobId, m_server, false, result.error().message, result.error().hint);
}

void SshWorker::close()
{
    m_session.reset();
    emit closed(m_server);
}

} // namespace rd
