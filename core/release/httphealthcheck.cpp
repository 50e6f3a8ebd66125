#include "httphealthcheck.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace rd {

namespace {

constexpr qint64 MaxBodyBytes = 1 << 20;

} // namespace

HttpHealthCheck::HttpHealthCheck(HttpCheck spec, QObject *parent)
    : QObject(parent), m_spec(std::move(spec)), m_network(new QNetworkAccessManager(this))
{
    m_network->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

HttpHealthCheck::~HttpHealthCheck()
{
    // Replies still running are aborted quietly: nobody is left to tell.
    for (Check &check : m_checks)
        if (check.reply) {
            check.reply->disconnect(this);
            check.reply->abort();
        }
}

Result<QUrl> HttpHealthCheck::urlFor(const QString &urlTemplate, const QString &host, const QString &server)
{
    QString text = urlTemplate.trimmed();
    // Percent-encoded, so that a name cannot add a path, a query or another host.
    text.replace(QStringLiteral("{server}"), QString::fromLatin1(QUrl::toPercentEncoding(server)));
    text.replace(QStringLiteral("{host}"), host.contains(u':') && !host.startsWith(u'[') ? u'[' + host + u']' : host);
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return fail(tr("The health check URL \"%1\" is not valid: %2").arg(text, url.errorString()),
                    tr("Write a full URL such as http://{host}:8080/health."), QStringLiteral("healthUrl"));
    if (url.scheme() != u"http" && url.scheme() != u"https")
        return fail(tr("The health check URL \"%1\" is not http or https.").arg(text),
                    tr("Write a full URL such as http://{host}:8080/health."), QStringLiteral("healthUrl"));
    if (url.host().isEmpty())
        return fail(tr("The health check URL \"%1\" names no host.").arg(text),
                    tr("Use {host} for the server's address, e.g. http://{host}/health."), QStringLiteral("healthUrl"));
    return url;
}

void HttpHealthCheck::start(const QString &server, const QString &host)
{
    cancel(server);
    auto url = urlFor(m_spec.url, host, server);
    if (!url) {
        // Reported after start() returns, like any other outcome.
        QTimer::singleShot(0, this, [this, server, message = url.error().text()] { emit finished(server, false, message); });
        return;
    }
    Check check;
    check.url = *url;
    m_checks.insert(server, check);
    attempt(server);
}

void HttpHealthCheck::attempt(const QString &server)
{
    Check &check = m_checks[server];
    ++check.attempt;
    QNetworkRequest request(check.url);
    request.setTransferTimeout(qMax(1, m_spec.timeoutMs));
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("ReleaseDesk health check"));
    QNetworkReply *reply = m_network->get(request);
    check.reply = reply;
    const qint64 started = QDateTime::currentMSecsSinceEpoch();
    // A body larger than we read is cut off rather than buffered whole.
    connect(reply, &QNetworkReply::readyRead, this, [reply] {
        if (reply->bytesAvailable() > MaxBodyBytes)
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [this, server, reply, started] { onReply(server, reply, started); });
}

void HttpHealthCheck::onReply(const QString &server, QNetworkReply *reply, qint64 startedMs)
{
    reply->deleteLater();
    if (!m_checks.contains(server) || m_checks[server].reply != reply)
        return;
    Check &check = m_checks[server];
    check.reply = nullptr;
    const qint64 ms = QDateTime::currentMSecsSinceEpoch() - startedMs;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    const QByteArray body = reply->read(MaxBodyBytes);
    QString problem;
    if (status == 0) {
        problem = reply->error() == QNetworkReply::OperationCanceledError
                      ? tr("no answer within %1 ms").arg(m_spec.timeoutMs)
                      : reply->errorString();
    } else if (status != m_spec.expectedStatus) {
        problem = tr("status %1 %2, expected %3").arg(status).arg(reason).arg(m_spec.expectedStatus);
    } else if (!m_spec.bodyContains.isEmpty() && !QString::fromUtf8(body).contains(m_spec.bodyContains)) {
        problem = tr("the answer does not contain \"%1\"").arg(m_spec.bodyContains);
    }
    const QString line = problem.isEmpty()
                             ? tr("GET %1 -> %2 %3, %4 ms: healthy").arg(check.url.toDisplayString()).arg(status).arg(reason).arg(ms)
                             : tr("GET %1 -> %2, %3 ms").arg(check.url.toDisplayString(), problem).arg(ms);
    emit attemptFinished(server, check.attempt, line);
    if (problem.isEmpty()) {
        end(server, true, tr("Healthy: %1 answered %2.").arg(check.url.toDisplayString()).arg(status));
        return;
    }
    check.lastProblem = problem;
    if (check.attempt > m_spec.retries) {
        end(server, false,
            tr("The health check failed %n time(s); the last answer from %1: %2.", nullptr, check.attempt)
                .arg(check.url.toDisplayString(), problem));
        return;
    }
    check.wait = new QTimer(this);
    check.wait->setSingleShot(true);
    connect(check.wait, &QTimer::timeout, this, [this, server] {
        if (!m_checks.contains(server))
            return;
        m_checks[server].wait->deleteLater();
        m_checks[server].wait = nullptr;
        attempt(server);
    });
    check.wait->start(qMax(0, m_spec.intervalMs));
}

void HttpHealthCheck::end(const QString &server, bool healthy, const QString &message)
{
    const Check check = m_checks.take(server);
    if (check.wait)
        check.wait->deleteLater();
    emit finished(server, healthy, message);
}

void HttpHealthCheck::cancel(const QString &server)
{
    if (!m_checks.contains(server))
        return;
    Check &check = m_checks[server];
    if (check.reply) {
        check.reply->disconnect(this);
        check.reply->abort();
        check.reply = nullptr;
    }
    end(server, false, tr("The health check of %1 was cancelled.").arg(server));
}

void HttpHealthCheck::cancelAll()
{
    for (const QString &server : m_checks.keys())
        cancel(server);
}

} // namespace rd
