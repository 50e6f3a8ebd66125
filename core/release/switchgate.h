#pragma once

#include <QDeadlineTimer>
#include <QElapsedTimer>

#include <mutex>

namespace rd {

// Lets the servers of a batch switch `current` at one moment. Each one prepares its switch on the
// server and waits there; once every server is waiting or has dropped out, all are told to go, so
// the mixed-version window is a rename on each server, not a connection, a shell and a rename. A
// server that never gets ready holds the others back for at most the patience given.
// A gate made without a count opens only when its owner says so, or never. Called from the servers'
// worker threads and the owner's.
class SwitchGate
{
public:
    SwitchGate(int servers, int patienceMs);
    SwitchGate();

    // A server waits at the gate, or will not switch at all: either way the others need not wait for it.
    void settle();
    bool isOpen();
    // Nobody may switch; the servers waiting are told to give up.
    bool isRefused();
    void open();
    void refuse();
    // A server has renamed its `current`.
    void switched();
    // From the first rename to the last one; -1 before any.
    qint64 windowMs() const;

private:
    mutable std::mutex m_mutex;
    const int m_servers;
    int m_settled = 0;
    bool m_open = false;
    bool m_refused = false;
    QDeadlineTimer m_patience;
    QElapsedTimer m_clock;
    qint64 m_firstSwitchMs = -1;
    qint64 m_lastSwitchMs = -1;
};

} // namespace rd
