#include "release/releaseconfirmation.h"

#include <QTest>

using namespace rd;

// The one rule for a second "yes": which environments it covers, and that its question names what
// is about to change.
class TestReleaseConfirmation : public QObject
{
    Q_OBJECT

private slots:
    void productionLikeNames_data();
    void productionLikeNames();
    void questionsNameWhatChanges();
};

void TestReleaseConfirmation::productionLikeNames_data()
{
    QTest::addColumn<QString>("environment");
    QTest::addColumn<bool>("asked");
    for (const char *name : {"prod", "PROD", "production", "prd", "live", "prod-eu", "prod_cn", "Live-2"})
        QTest::newRow(name) << QString::fromLatin1(name) << true;
    for (const char *name : {"staging", "test", "dev", "preprod", "prod2", "product", "deliver", "uat"})
        QTest::newRow(name) << QString::fromLatin1(name) << false;
}

void TestReleaseConfirmation::productionLikeNames()
{
    QFETCH(QString, environment);
    QFETCH(bool, asked);
    QCOMPARE(ReleaseConfirmation::isProductionLike(environment), asked);
    ReleaseRequest request;
    request.project = QStringLiteral("shop");
    request.environment = environment;
    request.ref = QStringLiteral("v1.2");
    for (ReleaseKind kind : {ReleaseKind::Full, ReleaseKind::Gray, ReleaseKind::Patch, ReleaseKind::Rollback}) {
        request.kind = kind;
        QCOMPARE(ReleaseConfirmation::questionFor(request, 3).has_value(), asked);
    }
}

void TestReleaseConfirmation::questionsNameWhatChanges()
{
    ReleaseRequest request;
    request.project = QStringLiteral("shop");
    request.environment = QStringLiteral("prod");
    request.ref = QStringLiteral("0123456789abcdef");
    request.refName = QStringLiteral("main");
    const auto release = ReleaseConfirmation::questionFor(request, 12);
    QVERIFY(release);
    QCOMPARE(release->title, QStringLiteral("Release to shop/prod?"));
    QVERIFY2(release->text.contains(QStringLiteral("main 01234567")), qPrintable(release->text));
    QVERIFY2(release->text.contains(QStringLiteral("12 server")), qPrintable(release->text));

    request.kind = ReleaseKind::Rollback;
    request.rollbackTo = QStringLiteral("shop-v3-20261201120000");
    const auto rollback = ReleaseConfirmation::questionFor(request);
    QVERIFY(rollback);
    QCOMPARE(rollback->title, QStringLiteral("Roll back shop/prod?"));
    QVERIFY2(rollback->text.contains(QStringLiteral("every server of shop/prod")), qPrintable(rollback->text));
    QVERIFY2(rollback->text.contains(request.rollbackTo), qPrintable(rollback->text));
}

QTEST_GUILESS_MAIN(TestReleaseConfirmation)
#include "tst_releaseconfirmation.moc"
