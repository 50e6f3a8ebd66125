#pragma once

#include <QString>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rd {

class KnownHosts;
class SshSession;
struct SshTarget;

// Signed-in connections kept open for a while after their work is done, as OpenSSH's ControlPersist
// keeps its masters: the next task to the same server (a rollback or patch after a release, a fleet
// refresh) skips the handshake and sign-in, the costliest part of a short command on a fleet. Off
// (idle limit 0) unless a program turns it on. A session belongs to one thread at a time: the cache
// hands it over whole. Sessions idle past the limit are closed on the cache's own thread.
class SessionCache
{
public:
    static SessionCache &instance();

    // 0 turns the cache off and closes what it keeps.
    void setIdleLimit(std::chrono::seconds limit);
    // The same server, port, user and credentials, checked against the same known_hosts file.
    static QString keyFor(const SshTarget &target, const QString &knownHostsPath);
    // A kept session for `key` that is still connected and whose host key `knownHosts` still trusts
    // (the operator may have forgotten or revoked it since), or null.
    std::unique_ptr<SshSession> take(const QString &key, const KnownHosts &knownHosts);
    // Keeps a session whose work ended cleanly; closes it when the cache is off.
    void put(const QString &key, std::unique_ptr<SshSession> session);
    // Closes every kept session, and waits for those the reaper is closing (before the SSH library
    // shuts down).
    void clear();
    int size() const;

private:
    SessionCache() = default;
    ~SessionCache();
    void reap();

    struct Kept
    {
        QString key;
        std::unique_ptr<SshSession> session;
        std::chrono::steady_clock::time_point since;
    };
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<Kept> m_kept;
    std::chrono::seconds m_idleLimit{0};
    bool m_stopping = false;
    bool m_reaperClosing = false; // expired sessions are being closed outside the lock
    std::thread m_reaper; // started the first time the cache is turned on
};

} // namespace rd
