#pragma once

#include "common/error.h"
#include "releaseplan.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace rd {

// The HTTP(S) health check after a switch, through Qt Network on the engine's thread: never
// blocks, runs many servers' checks at once, and gives each attempt's outcome for the node's log.
class HttpHealthCheck : public QObject
{
    Q_OBJECT

public:
    explicit HttpHealthCheck(HttpCheck spec, QObject *parent = nullptr);
    ~HttpHealthCheck() override;

    // {host} and {server} filled in (percent-encoded), then checked: http or https, with a host.
    static Result<QUrl> urlFor(const QString &urlTemplate, const QString &host, const QString &server);

    // Healthy as soon as one attempt answers the expected status (and body text, if any); up to
    // 1 + retries attempts, intervalMs apart.
    void start(const QString &server, const QString &host);
    void cancel(const QString &server);
    void cancelAll();

signals:
    void attemptFinished(const QString &server, int attempt, const QString &line);
    void finished(const QString &server, bool healthy, const QString &message);

private:
    struct Check
    {
        QUrl url;
        int attempt = 0;
        QPointer<QNetworkReply> reply;
        QTimer *wait = nullptr;
        QString lastProblem;
    };

    void attempt(const QString &server);
    void onReply(const QString &server, QNetworkReply *reply, qint64 startedMs);
    void end(const QString &server, bool healthy, const QString &message);

    HttpCheck m_spec;
    QNetworkAccessManager *m_network = nullptr;
    QHash<QString, Check> m_checks;
};

} // namespace rd
