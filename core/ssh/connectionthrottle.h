#pragma once

#include <QDeadlineTimer>
#include <QMutex>

#include <atomic>

namespace rd {

// Spaces out new connections (at most `perSecond`), so a fleet's sshd and firewalls see no burst.
// Shared by every worker thread of a pool.
class ConnectionThrottle
{
public:
    explicit ConnectionThrottle(int perSecond);
    // Blocks the calling worker thread until its turn; false when cancelled while waiting.
    bool acquire(const std::atomic_bool *cancel);

private:
    QMutex m_mutex;
    qint64 m_intervalNs;
    qint64 m_nextNs = 0;
};

} // namespace rd
