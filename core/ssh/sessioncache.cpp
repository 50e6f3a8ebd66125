#include "sessioncache.h"

#include "sshsession.h"
#include "sshtarget.h"

#include <QCryptographicHash>

#include <algorithm>

namespace rd {

namespace {
// A kept connection must answer quickly; else a new one costs less than waiting.
constexpr int ProbeTimeoutMs = 3000;
} // namespace

SessionCache &SessionCache::instance()
{
    static SessionCache cache;
    return cache;
}

SessionCache::~SessionCache()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_reaper.joinable())
        m_reaper.join();
}

void SessionCache::setIdleLimit(std::chrono::seconds limit)
{
    {
        const std::lock_guard lock(m_mutex);
        m_idleLimit = limit;
        if (limit.count() > 0 && !m_reaper.joinable())
            m_reaper = std::thread([this] { reap(); });
    }
    m_wake.notify_all();
    if (limit.count() <= 0)
        clear();
}

QString SessionCache::keyFor(const SshTarget &target, const QString &knownHostsPath)
{
    // The key's bytes only through their hash: the cache's keys are not secrets.
    QCryptographicHash credentials(QCryptographicHash::Sha256);
    credentials.addData(target.privateKey.view());
    return QStringList{target.host, QString::number(target.port), target.username, target.useAgent ? QStringLiteral("agent") : QString(),
                       target.keyPath, QString::fromLatin1(credentials.result().toHex()), knownHostsPath}
        .join(QChar(0));
}

std::unique_ptr<SshSession> SessionCache::take(const QString &key, const KnownHosts &knownHosts)
{
    for (;;) {
        std::unique_ptr<SshSession> candidate;
        {
            const std::lock_guard lock(m_mutex);
            const auto it = std::find_if(m_kept.begin(), m_kept.end(), [&](const Kept &kept) { return kept.key == key; });
            if (it == m_kept.end())
                return nullptr;
            candidate = std::move(it->session);
            m_kept.erase(it);
        }
        // Asked outside the lock: a round trip to the server. One that does not answer, or whose host
        // key is no longer trusted, is closed.
        if (candidate->hostKeyStillTrusted(knownHosts) && candidate->stillAnswers(ProbeTimeoutMs))
            return candidate;
    }
}

void SessionCache::put(const QString &key, std::unique_ptr<SshSession> session)
{
    const std::lock_guard lock(m_mutex);
    if (m_idleLimit.count() <= 0 || m_stopping)
        return; // `session` closes here
    m_kept.push_back({key, std::move(session), std::chrono::steady_clock::now()});
}

void SessionCache::clear()
{
    std::vector<Kept> closing;
    {
        std::unique_lock lock(m_mutex);
        closing.swap(m_kept);
        // Sessions the reaper is closing right now are closed too when this returns, so that the SSH
        // library may shut down after it.
        m_wake.wait(lock, [this] { return !m_reaperClosing; });
    }
}

int SessionCache::size() const
{
    const std::lock_guard lock(m_mutex);
    return int(m_kept.size());
}

void SessionCache::reap()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, std::chrono::seconds(1));
        const auto now = std::chrono::steady_clock::now();
        std::vector<Kept> expired;
        for (auto it = m_kept.begin(); it != m_kept.end();) {
            if (now - it->since >= m_idleLimit) {
                expired.push_back(std::move(*it));
                it = m_kept.erase(it);
            } else {
                ++it;
            }
        }
        if (expired.empty())
            continue;
        // Saying goodbye to a server is network I/O: not under the lock.
        m_reaperClosing = true;
        lock.unlock();
        expired.clear();
        lock.lock();
        m_reaperClosing = false;
        m_wake.notify_all();
    }
}

} // namespace rd
