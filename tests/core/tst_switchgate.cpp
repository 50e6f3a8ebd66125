#include "release/switchgate.h"

#include <QTest>
#include <QThread>

#include <thread>
#include <vector>

using namespace rd;

class TestSwitchGate : public QObject
{
    Q_OBJECT

private slots:
    void opensWhenEveryServerHasSettled();
    void opensAfterItsPatienceForAServerThatNeverSettles();
    void windowRunsFromTheFirstRenameToTheLast();
    void aGateWithoutACountOpensOnlyWhenTold();
};

void TestSwitchGate::opensWhenEveryServerHasSettled()
{
    SwitchGate gate(8, 600000);
    QVERIFY(!gate.isOpen());
    // The servers' worker threads settle at once; only the last one opens the gate.
    std::vector<std::thread> servers;
    for (int i = 0; i < 7; ++i)
        servers.emplace_back([&gate] { gate.settle(); });
    for (std::thread &server : servers)
        server.join();
    QVERIFY(!gate.isOpen());
    gate.settle();
    QVERIFY(gate.isOpen());
}

void TestSwitchGate::opensAfterItsPatienceForAServerThatNeverSettles()
{
    SwitchGate gate(3, 200);
    gate.settle();
    gate.settle();
    QVERIFY(!gate.isOpen());
    QTRY_VERIFY_WITH_TIMEOUT(gate.isOpen(), 5000);
    // Once open it stays open, also for the late server.
    gate.settle();
    QVERIFY(gate.isOpen());
}

void TestSwitchGate::aGateWithoutACountOpensOnlyWhenTold()
{
    SwitchGate opened;
    opened.settle();
    QVERIFY(!opened.isOpen());
    opened.open();
    QVERIFY(opened.isOpen());
    opened.refuse(); // too late: the servers may be renaming already
    QVERIFY(opened.isOpen() && !opened.isRefused());

    SwitchGate refused;
    refused.refuse();
    QVERIFY(refused.isRefused());
    refused.open();
    QVERIFY(!refused.isOpen());
}

void TestSwitchGate::windowRunsFromTheFirstRenameToTheLast()
{
    SwitchGate gate(2, 600000);
    QCOMPARE(gate.windowMs(), -1);
    gate.switched();
    QCOMPARE(gate.windowMs(), 0);
    QThread::msleep(30);
    gate.switched();
    QVERIFY(gate.windowMs() >= 30);
}

QTEST_GUILESS_MAIN(TestSwitchGate)
#include "tst_switchgate.moc"
