#pragma once

// Real git repositories for the tests, made with the `git` command in a directory the test owns
// (a QTemporaryDir): files with modes, symlinks, branches, annotated and lightweight tags,
// submodules, .gitattributes. Identity, dates and configuration are fixed, so the same steps give
// the same object ids on every run.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <optional>

#include <sys/stat.h>
#include <unistd.h>

namespace rd::test {

class GitFixture
{
public:
    explicit GitFixture(QString path) : m_path(std::move(path)) {}

    QString path() const { return m_path; }
    // What the last failing step said; empty while all went well.
    QString lastError() const { return m_error; }

    // An empty repository on branch main (or a bare one, to serve as a remote).
    bool init(bool bare = false)
    {
        if (!QDir().mkpath(m_path))
            return failed(QStringLiteral("cannot create ") + m_path);
        QStringList arguments{QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")};
        if (bare)
            arguments << QStringLiteral("--bare");
        return git(arguments).has_value();
    }

    // Writes a file (creating its directories) and stages it.
    bool write(const QString &relative, const QByteArray &content, bool executable = false)
    {
        const QString file = m_path + u'/' + relative;
        QFile::remove(file);
        if (!QDir().mkpath(QFileInfo(file).absolutePath()))
            return failed(QStringLiteral("cannot create the directory of ") + relative);
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly) || out.write(content) != content.size())
            return failed(QStringLiteral("cannot write ") + relative);
        out.close();
        if (::chmod(QFile::encodeName(file).constData(), executable ? 0755 : 0644) != 0)
            return failed(QStringLiteral("cannot chmod ") + relative);
        return add(relative);
    }

    bool setExecutable(const QString &relative, bool executable)
    {
        const QByteArray file = QFile::encodeName(m_path + u'/' + relative);
        if (::chmod(file.constData(), executable ? 0755 : 0644) != 0)
            return failed(QStringLiteral("cannot chmod ") + relative);
        return add(relative);
    }

    bool symlink(const QString &relative, const QString &target)
    {
        const QString link = m_path + u'/' + relative;
        QFile::remove(link);
        if (!QDir().mkpath(QFileInfo(link).absolutePath()))
            return failed(QStringLiteral("cannot create the directory of ") + relative);
        if (::symlink(QFile::encodeName(target).constData(), QFile::encodeName(link).constData()) != 0)
            return failed(QStringLiteral("cannot create the symlink ") + relative);
        return add(relative);
    }

    // Removes a file, symlink or directory from the tree and the index.
    bool remove(const QString &relative)
    {
        return git({QStringLiteral("rm"), QStringLiteral("-r"), QStringLiteral("-q"), QStringLiteral("--"), relative})
            .has_value();
    }

    bool move(const QString &from, const QString &to)
    {
        const QString target = m_path + u'/' + to;
        if (!QDir().mkpath(QFileInfo(target).absolutePath()))
            return failed(QStringLiteral("cannot create the directory of ") + to);
        return git({QStringLiteral("mv"), QStringLiteral("--"), from, to}).has_value();
    }

    bool add(const QString &relative)
    {
        return git({QStringLiteral("add"), QStringLiteral("-f"), QStringLiteral("--"), relative}).has_value();
    }

    // Commits what is staged; returns the full id, or an empty string on failure.
    QString commit(const QString &message)
    {
        ++m_commits;
        if (!git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
                  QStringLiteral("-m"), message}))
            return {};
        return head();
    }

    QString head() { return revParse(QStringLiteral("HEAD")); }

    QString revParse(const QString &spec)
    {
        const auto out = git({QStringLiteral("rev-parse"), QStringLiteral("--verify"), spec + QStringLiteral("^{commit}")});
        return out ? QString::fromLatin1(out->trimmed()) : QString();
    }

    bool branch(const QString &name, const QString &start = QStringLiteral("HEAD"))
    {
        return git({QStringLiteral("branch"), name, start}).has_value();
    }

    bool switchTo(const QString &name)
    {
        return git({QStringLiteral("checkout"), QStringLiteral("-q"), name}).has_value();
    }

    bool tag(const QString &name, const QString &message = {})
    {
        QStringList arguments{QStringLiteral("tag")};
        if (!message.isEmpty())
            arguments << QStringLiteral("-a") << QStringLiteral("-m") << message;
        return git(arguments << name).has_value();
    }

    // Adds `url` (a local repository with at least one commit) as a submodule at `relative`.
    bool addSubmodule(const QString &url, const QString &relative)
    {
        return git({QStringLiteral("-c"), QStringLiteral("protocol.file.allow=always"), QStringLiteral("submodule"),
                    QStringLiteral("add"), QStringLiteral("-q"), url, relative})
            .has_value();
    }

    // A bare clone with every branch and tag, as a project's mirror would hold them.
    bool cloneBare(const QString &destination)
    {
        return git({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--mirror"), m_path, destination})
            .has_value();
    }

    // Runs git in the repository; stdout on success, nothing (and lastError()) on failure.
    std::optional<QByteArray> git(const QStringList &arguments, const QString &workingDirectory = {})
    {
        QProcess process;
        process.setWorkingDirectory(workingDirectory.isEmpty() ? m_path : workingDirectory);
        process.setProcessEnvironment(environment(m_path, m_commits));
        process.start(QStringLiteral("git"), arguments);
        process.closeWriteChannel();
        if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
            failed(QStringLiteral("git ") + arguments.join(u' ') + QStringLiteral(": ") +
                   QString::fromUtf8(process.readAllStandardError()));
            return std::nullopt;
        }
        return process.readAllStandardOutput();
    }

    // The environment every git run gets: no user or system configuration, a fixed identity, and a
    // commit date that moves one minute per commit so that dates order the history.
    static QProcessEnvironment environment(const QString &home, int commitNumber = 0)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString date = QString::number(1700000000 + 60 * commitNumber) + QStringLiteral(" +0000");
        env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
        env.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("Tester"));
        env.insert(QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("tester@example.com"));
        env.insert(QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("Tester"));
        env.insert(QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("tester@example.com"));
        env.insert(QStringLiteral("GIT_AUTHOR_DATE"), date);
        env.insert(QStringLiteral("GIT_COMMITTER_DATE"), date);
        return env;
    }

private:
    bool failed(const QString &message)
    {
        m_error = message;
        return false;
    }

    QString m_path;
    QString m_error;
    int m_commits = 0;
};

} // namespace rd::test
