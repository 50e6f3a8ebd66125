#pragma once

#include <QFile>
#include <QString>

namespace rd {

// One server's log of one task: an append-only file, written on the worker thread as lines arrive,
// so the log is on disk before it is shown and survives a crash or restart.
class NodeLog
{
public:
    NodeLog(const QString &directory, const QString &server);
    void line(const QString &text, bool isStderr = false);
    QString path() const { return m_file.fileName(); }

    static QString pathFor(const QString &directory, const QString &server);

private:
    QFile m_file;
};

} // namespace rd
