#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

// Refreshes a copy of the Chinese translation from today's sources and fails on every message
// that nobody translated, so new strings cannot ship untranslated.
class TestTranslations : public QObject
{
    Q_OBJECT

private slots:
    void everyMessageIsTranslated();
};

void TestTranslations::everyMessageIsTranslated()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QDir source(QStringLiteral(RELEASEDESK_SOURCE_DIR));
    const QString copy = dir.filePath(QStringLiteral("releasedesk_zh_CN.ts"));
    QVERIFY(QFile::copy(source.filePath(QStringLiteral("translations/releasedesk_zh_CN.ts")), copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);

    QProcess lupdate;
    lupdate.setProcessChannelMode(QProcess::MergedChannels);
    lupdate.start(QStringLiteral(RELEASEDESK_LUPDATE),
                  {source.filePath(QStringLiteral("core")), source.filePath(QStringLiteral("ui")),
                   source.filePath(QStringLiteral("app")), QStringLiteral("-no-obsolete"),
                   QStringLiteral("-locations"), QStringLiteral("none"), QStringLiteral("-ts"), copy});
    QVERIFY2(lupdate.waitForStarted(), qPrintable(lupdate.errorString()));
    QVERIFY(lupdate.waitForFinished(-1));
    const QString output = QString::fromLocal8Bit(lupdate.readAll());
    QVERIFY2(lupdate.exitStatus() == QProcess::NormalExit && lupdate.exitCode() == 0, qPrintable(output));

    QFile file(copy);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QStringList untranslated;
    int messages = 0;
    QString context;
    QString sourceText;
    bool unfinished = false;
    bool numerus = false;
    QStringList forms;
    QString translation;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            if (xml.name() == u"name") {
                context = xml.readElementText();
            } else if (xml.name() == u"message") {
                numerus = xml.attributes().value(QStringLiteral("numerus")) == u"yes";
                sourceText.clear();
                translation.clear();
                forms.clear();
                unfinished = false;
            } else if (xml.name() == u"source") {
                sourceText = xml.readElementText();
            } else if (xml.name() == u"translation") {
                const auto type = xml.attributes().value(QStringLiteral("type"));
                unfinished = type == u"unfinished";
                if (!numerus)
                    translation = xml.readElementText();
            } else if (xml.name() == u"numerusform") {
                forms.append(xml.readElementText());
            }
        } else if (xml.isEndElement() && xml.name() == u"message") {
            ++messages;
            const bool empty = numerus ? (forms.isEmpty() || forms.contains(QString())) : translation.isEmpty();
            if (unfinished || empty)
                untranslated.append(QStringLiteral("%1: %2").arg(context, sourceText));
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY2(messages > 100, qPrintable(QStringLiteral("only %1 messages found; did lupdate scan the sources?\n%2")
                                            .arg(messages)
                                            .arg(output)));
    QVERIFY2(untranslated.isEmpty(),
             qPrintable(QStringLiteral("%1 untranslated message(s):\n").arg(untranslated.size())
                        + untranslated.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
