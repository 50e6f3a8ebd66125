#pragma once

#include <QObject>

#include <memory>

class QSocketNotifier;

namespace rd {

// Turns Ctrl+C and SIGTERM into a Qt signal while it lives, so a long command can stop cleanly
// (a release releases its locks) instead of dying mid-step. A second Ctrl+C ends the process.
class InterruptWatch : public QObject
{
    Q_OBJECT

public:
    InterruptWatch();
    ~InterruptWatch() override;

signals:
    void interrupted();

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
    int m_interrupts = 0;
};

} // namespace rd
