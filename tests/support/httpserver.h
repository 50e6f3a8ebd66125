#pragma once

// The real HTTP server of the health-check tests (tests/support/httpserver.py), started for the
// lifetime of this object on 127.0.0.1 with a state directory the test controls.

#include <QFile>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

namespace rd::test {

class HttpServer
{
public:
    HttpServer()
    {
        m_process.setProgram(QStringLiteral("python3"));
        m_process.setArguments({QStringLiteral(RELEASEDESK_SOURCE_DIR "/tests/support/httpserver.py"),
                                QStringLiteral("--state-dir"), m_state.path()});
        m_process.start();
        if (m_process.waitForReadyRead(10000))
            m_port = m_process.readLine().trimmed().toInt();
    }
    ~HttpServer()
    {
        m_process.kill();
        m_process.waitForFinished();
    }
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    bool ok() const { return m_port > 0; }
    int port() const { return m_port; }
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path); }
    // /health/<name> answers 500 while this is set.
    void setFailing(const QString &name, bool failing)
    {
        const QString flag = m_state.filePath(QStringLiteral("fail-") + name);
        if (failing) {
            QFile file(flag);
            file.open(QIODevice::WriteOnly);
        } else {
            QFile::remove(flag);
        }
    }
    // The paths requested so far, in order.
    QStringList requests() const
    {
        QFile log(m_state.filePath(QStringLiteral("requests.log")));
        if (!log.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(log.readAll()).split(u'\n', Qt::SkipEmptyParts);
    }

private:
    QTemporaryDir m_state;
    QProcess m_process;
    int m_port = 0;
};

} // namespace rd::test
