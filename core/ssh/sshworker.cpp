#include "sshworker.h"

#include "connectionthrottle.h"
#include "hostkeys/knownhosts.h"
#include "sessioncache.h"
#include "sshsession.h"

namespace rd {

SshWorker::SshWorker(SshTarget target, KnownHosts &knownHosts, HostKeyPrompt prompt, ConnectionThrottle &throttle,
                     const std::atomic_bool &cancel)
    : m_server(target.name), m_target(std::move(target)), m_knownHosts(knownHosts), m_prompt(std::move(prompt)),
      m_throttle(throttle), m_cancel(cancel), m_cacheKey(SessionCache::keyFor(m_target, knownHosts.path()))
{
}

SshWorker::~SshWorker() = default;

void SshWorker::run(int jobId, const SshJob &job)
{
    if (!m_session && !m_connectError) {
        if (auto kept = SessionCache::instance().take(m_cacheKey, m_knownHosts)) {
            m_session = std::move(kept);
        } else {
            if (!m_throttle.acquire(&m_cancel)) {
                emit jobFinished(jobId, m_server, false, tr("Cancelled before connecting to %1.").arg(m_server), {});
                return;
            }
            auto session = SshSession::connect(std::move(m_target), m_knownHosts, m_prompt, &m_cancel);
            if (session)
                m_session = std::move(*session);
            else
                m_connectError = session.error();
        }
        if (m_session)
            emit connected(m_server, m_session->authenticatedWith());
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
    context.milestone = [this, jobId](const QString &what) { emit milestone(jobId, m_server, what); };
    context.yieldSlot = [this] { emit slotYielded(m_server); };
    const Result<> result = job(*m_session, context);
    // A failed or cancelled job may have left the connection in any state: it is not kept.
    if (!result || m_cancel.load())
        m_sessionClean = false;
    if (result)
        emit jobFinished(jobId, m_server, true, {}, {});
    else
        emit jobFinished(jobId, m_server, false, result.error().message, result.error().hint);
}

void SshWorker::close()
{
    if (m_session && m_sessionClean)
        SessionCache::instance().put(m_cacheKey, std::move(m_session));
    m_session.reset();
    emit closed(m_server);
}

} // namespace rd
