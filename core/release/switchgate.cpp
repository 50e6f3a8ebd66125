#include "switchgate.h"

namespace rd {

SwitchGate::SwitchGate(int servers, int patienceMs) : m_servers(servers), m_patience(patienceMs)
{
    m_clock.start();
}

SwitchGate::SwitchGate() : m_servers(-1), m_patience(QDeadlineTimer::Forever)
{
    m_clock.start();
}

void SwitchGate::settle()
{
    const std::lock_guard lock(m_mutex);
    ++m_settled;
}

bool SwitchGate::isOpen()
{
    const std::lock_guard lock(m_mutex);
    if (!m_open && !m_refused && m_servers >= 0 && (m_settled >= m_servers || m_patience.hasExpired()))
        m_open = true;
    return m_open;
}

bool SwitchGate::isRefused()
{
    const std::lock_guard lock(m_mutex);
    return m_refused;
}

void SwitchGate::open()
{
    const std::lock_guard lock(m_mutex);
    if (!m_refused)
        m_open = true;
}

void SwitchGate::refuse()
{
    const std::lock_guard lock(m_mutex);
    if (!m_open)
        m_refused = true;
}

void SwitchGate::switched()
{
    const std::lock_guard lock(m_mutex);
    const qint64 now = m_clock.elapsed();
    if (m_firstSwitchMs < 0)
        m_firstSwitchMs = now;
    m_lastSwitchMs = now;
}

qint64 SwitchGate::windowMs() const
{
    const std::lock_guard lock(m_mutex);
    return m_firstSwitchMs < 0 ? -1 : m_lastSwitchMs - m_firstSwitchMs;
}

} // namespace rd
