#pragma once

#include <QDockWidget>

namespace rd {

class LogView;

// A dock with the live log of one server (or of the task), named after its title so that the
// window's saveState() puts it back where it was.
class LogDock : public QDockWidget
{
    Q_OBJECT

public:
    LogDock(const QString &title, const QString &path, QWidget *parent = nullptr);

    LogView *view() const { return m_view; }
    static QString objectNameFor(const QString &title);

private:
    LogView *m_view;
};

} // namespace rd
