#pragma once

// releasedesk-cli run as a user runs it, for the CLI tests: in English, with its own HOME and
// data directory, and none of the caller's RELEASEDESK_ variables.

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <utility>

namespace rd::test {

using Env = QList<std::pair<QString, QString>>;

struct CliRun
{
    int code = -1; // -1: the process crashed or did not end
    QByteArray out;
    QByteArray err;

    QJsonValue json() const
    {
        const QJsonDocument document = QJsonDocument::fromJson(out);
        return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    }
    QJsonObject object() const { return QJsonDocument::fromJson(out).object(); }
    QJsonArray rows() const { return QJsonDocument::fromJson(out).array(); }
    QJsonObject errorJson() const { return QJsonDocument::fromJson(err).object(); }
};

class CliRunner
{
public:
    // `defaults` go into every run's environment (e.g. USER).
    CliRunner(QString home, QString dataDir, Env defaults = {})
        : m_home(std::move(home)), m_dataDir(std::move(dataDir)), m_defaults(std::move(defaults))
    {
    }

    QString dataDir() const { return m_dataDir; }

    // Started, its input still open; the caller owns it.
    QProcess *start(const QStringList &arguments, const Env &environment = {},
                    const QString &dataDir = {}) const
    {
        auto *process = new QProcess;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &name : env.keys())
            if (name.startsWith(QStringLiteral("RELEASEDESK_")))
                env.remove(name);
        // Messages are checked in English.
        for (const char *name : {"LC_ALL", "LANG", "LANGUAGE"})
            env.insert(QString::fromLatin1(name), QStringLiteral("C"));
        env.insert(QStringLiteral("HOME"), m_home);
        for (const auto &[name, value] : m_defaults + environment)
            env.insert(name, value);
        process->setProcessEnvironment(env);
        process->start(QStringLiteral(RELEASEDESK_CLI),
                       QStringList{QStringLiteral("--data-dir"), dataDir.isEmpty() ? m_dataDir : dataDir} +
                           arguments);
        return process;
    }

    // Runs to the end with `input` on stdin; every output is also kept in everything().
    CliRun run(const QStringList &arguments, const QByteArray &input = {}, const Env &environment = {},
               const QString &dataDir = {})
    {
        std::unique_ptr<QProcess> process(start(arguments, environment, dataDir));
        if (!process->waitForStarted())
            return {};
        process->write(input);
        process->closeWriteChannel();
        process->waitForFinished(180000);
        CliRun result{process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1,
                      process->readAllStandardOutput(), process->readAllStandardError()};
        m_everything += result.out + result.err;
        return result;
    }

    // run() of a command expected to succeed: a failure is shown with its error.
    CliRun ok(const QStringList &arguments, const Env &environment = {}, const QString &dataDir = {})
    {
        CliRun result = run(arguments, {}, environment, dataDir);
        if (result.code != 0)
            qWarning("releasedesk-cli %s -> %d\n%s", qPrintable(arguments.join(u' ')), result.code,
                     result.err.constData());
        return result;
    }

    // All output of the runs so far, to look for a leaked secret.
    const QByteArray &everything() const { return m_everything; }

private:
    QString m_home;
    QString m_dataDir;
    Env m_defaults;
    QByteArray m_everything;
};

// What the CLI tests share: a fresh home and data directory for each test function.
class CliFixture
{
protected:
    // From each test class's init().
    bool setUpCli()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_dataDir = path(QStringLiteral("data"));
        m_cli = std::make_unique<CliRunner>(m_dir->path(), m_dataDir);
        return m_dir->isValid();
    }

    CliRun cli(const QStringList &arguments, const QByteArray &input = {}, const Env &environment = {},
               const QString &dataDir = {})
    {
        return m_cli->run(arguments, input, environment, dataDir);
    }
    CliRun ok(const QStringList &arguments, const Env &environment = {}, const QString &dataDir = {})
    {
        return m_cli->ok(arguments, environment, dataDir);
    }
    QString path(const QString &name) const { return m_dir->filePath(name); }

    // A new ed25519 key pair in the test directory; empty when ssh-keygen failed.
    QString generateKey(const QString &name, const QByteArray &passphrase) const
    {
        const QString file = path(name);
        QProcess keygen;
        keygen.start(QStringLiteral("ssh-keygen"),
                     {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                      QStringLiteral("-N"), QString::fromUtf8(passphrase), QStringLiteral("-C"),
                      QStringLiteral("test@releasedesk"), QStringLiteral("-f"), file});
        if (!keygen.waitForFinished(60000) || keygen.exitCode() != 0)
            return {};
        return file;
    }

    static QString vaultPassword() { return QStringLiteral("correct horse battery"); }
    // The master password through the environment.
    static Env master(const QString &password = vaultPassword())
    {
        return {{QStringLiteral("RELEASEDESK_VAULT_PASSWORD"), password}};
    }
    // The `member` of each object of a JSON list.
    static QStringList names(const QJsonValue &list, const QString &member = QStringLiteral("name"))
    {
        QStringList result;
        for (const QJsonValue &item : list.toArray())
            result.append(item.toObject().value(member).toString());
        return result;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_dataDir;
    std::unique_ptr<CliRunner> m_cli;
};

} // namespace rd::test
