#pragma once

// Real git repositories for the tests, made with the `git` command in a directory the test owns
// (a QTemporaryDir): files with modes, symlinks, branches, annotated and lightweight tags,
// submodules, .gitattributes. Identity, dates and configuration are fixed, so the same steps give
// the same object ids on every run.

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMap>
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
        // Literal: a name may start with ':', which git reads as pathspec magic.
        return git({QStringLiteral("--literal-pathspecs"), QStringLiteral("add"), QStringLiteral("-f"),
                    QStringLiteral("--"), relative})
            .has_value();
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

// Runs a command; true when it exited with 0. `output` gets stdout and stderr.
inline bool run(const QString &program, const QStringList &arguments, QByteArray *output = nullptr,
                const QString &workingDirectory = {})
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    process.closeWriteChannel();
    const bool finished = process.waitForFinished(-1);
    if (output)
        *output = process.readAll();
    return finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

// Unpacks a .tar.gz (or a plain tar) with GNU tar into a new directory.
inline bool extract(const QString &archive, const QString &directory, QByteArray *output = nullptr)
{
    return QDir().mkpath(directory) &&
           run(QStringLiteral("tar"), {QStringLiteral("-xf"), archive, QStringLiteral("-C"), directory}, output);
}

// A tree as "path -> what it is": "d 0755", "f 0644 <sha256>", "l -> <target>", so two trees compare
// file for file (content, mode, symlinks). Names are left out when `skip` says so.
inline QMap<QString, QString> snapshot(const QString &directory, const QStringList &skip = {},
                                       bool withDirectories = true)
{
    QMap<QString, QString> tree;
    QDirIterator it(directory, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = QDir(directory).relativeFilePath(path);
        if (skip.contains(relative))
            continue;
        struct stat info {};
        if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
            continue;
        const QString mode = QString::number(info.st_mode & 07777, 8).rightJustified(4, u'0');
        if (S_ISLNK(info.st_mode)) {
            char target[4096];
            const ssize_t n = ::readlink(QFile::encodeName(path).constData(), target, sizeof target);
            tree.insert(relative, QStringLiteral("l -> ") + QFile::decodeName(QByteArray(target, n > 0 ? int(n) : 0)));
        } else if (S_ISDIR(info.st_mode)) {
            if (withDirectories)
                tree.insert(relative, QStringLiteral("d ") + mode);
        } else {
            QFile file(path);
            QCryptographicHash hash(QCryptographicHash::Sha256);
            if (file.open(QIODevice::ReadOnly))
                hash.addData(&file);
            tree.insert(relative, QStringLiteral("f ") + mode + u' ' + QString::fromLatin1(hash.result().toHex()));
        }
    }
    return tree;
}

} // namespace rd::test
