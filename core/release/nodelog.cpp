#include "nodelog.h"

#include <QDateTime>
#include <QDir>

namespace rd {

QString NodeLog::pathFor(const QString &directory, const QString &server)
{
    return QDir(directory).filePath(server + QStringLiteral(".log"));
}

NodeLog::NodeLog(const QString &directory, const QString &server) : m_file(pathFor(directory, server))
{
    QDir().mkpath(directory);
    m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered);
}

void NodeLog::line(const QString &text, bool isStderr)
{
    // "<time> O|E <text>": the stream is kept, so a replay can show stdout and stderr apart.
    const QByteArray record = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8()
                              + (isStderr ? " E " : " O ") + text.toUtf8() + '\n';
    m_file.write(record);
}

} // namespace rd
