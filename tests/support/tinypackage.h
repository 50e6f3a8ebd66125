#pragma once

// The smallest release package the tests send: a tar.gz of index.html ("<h1>shop</h1>") and any
// empty directories asked for, made with the `tar` command, and its sha256.

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <optional>

namespace rd::test {

struct TinyPackage
{
    QString path;
    QString sha256;
};

// Builds the tree under `dir`/tree and the package as `dir`/shop.tar.gz.
inline std::optional<TinyPackage> makeTinyPackage(const QString &dir, const QStringList &emptyDirs = {})
{
    const QString tree = dir + QStringLiteral("/tree");
    if (!QDir().mkpath(tree))
        return std::nullopt;
    for (const QString &sub : emptyDirs) {
        if (!QDir().mkpath(tree + u'/' + sub))
            return std::nullopt;
    }
    QFile index(tree + QStringLiteral("/index.html"));
    if (!index.open(QIODevice::WriteOnly) || index.write("<h1>shop</h1>\n") < 0)
        return std::nullopt;
    index.close();
    TinyPackage package{dir + QStringLiteral("/shop.tar.gz"), QString()};
    if (QProcess::execute(QStringLiteral("tar"),
                          {QStringLiteral("-czf"), package.path, QStringLiteral("-C"), tree, QStringLiteral(".")}) != 0)
        return std::nullopt;
    QFile file(package.path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    package.sha256 = QString::fromLatin1(hash.result().toHex());
    return package;
}

} // namespace rd::test
