#include "connectionthrottle.h"

#include <QElapsedTimer>
#include <QThread>

namespace rd {

namespace {

qint64 nowNs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return clock.nsecsElapsed();
}

} // namespace

ConnectionThrottle::ConnectionThrottle(int perSecond) : m_intervalNs(perSecond > 0 ? 1000000000LL / perSecond : 0) {}

bool ConnectionThrottle::acquire(const std::atomic_bool *cancel)
{
    qint64 slot;
    {
        QMutexLocker lock(&m_mutex);
        slot = qMax(m_nextNs, nowNs());
        m_nextNs = slot + m_intervalNs;
    }
    while (nowNs() < slot) {
        if (cancel && cancel->load())
            return false;
        QThread::usleep(qMin<qint64>((slot - nowNs()) / 1000, 20000) + 1);
    }
    return !(cancel && cancel->load());
}

} // namespace rd
