using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EnergyData.Connection;
using EnergyData.Emulator;
using EnergyData.Neu;
using EnergyData.Tests.Emulator;
using EnergyData.Tests.Http;
using Xunit;

namespace EnergyData.Tests.Neu;

/// <summary>
/// The document lists the user's <c>name</c> among the interaction fields but leaves it out of its example, so a
/// server may write it once beside <c>nextPage</c> and <c>data</c>. Rows without a name of their own take that one.
/// Found by an independent server built from the document: Name was empty on every row.
/// </summary>
[Collection(EmulatorGroup.Name)]
public sealed class NeuInteractionNameTests : NeuEmulatorTests
{

    public NeuInteractionNameTests(EmulatorFixture fixture)
        : base(fixture)
    {
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_interaction_has_the_users_name_whether_it_is_in_the_rows_or_beside_them(bool nameAtTop)
    {
        Server.State.Neu.InteractionNameAtTop = nameAtTop;

        var interactions = await Client.GetNotificationInteractionsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal(7, interactions.Count);
        Assert.All(interactions, interaction => Assert.Equal("Ana Gómez", interaction.Name));
    }

    [Fact]
    public async Task A_rows_own_name_wins_over_the_one_beside_the_list()
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, "{\"nextPage\":null,\"maxPage\":1,\"total\":2,\"name\":\"Ana Pérez\",\"data\":[{\"title\":\"t1\",\"name\":\"Luis Díaz\"},{\"title\":\"t2\",\"name\":null},{\"title\":\"t3\"}]}");

        var interactions = await NeuPagingTests.Client(scripted).GetNotificationInteractionsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync();

        Assert.Equal(["Luis Díaz", "Ana Pérez", "Ana Pérez"], interactions.Select(interaction => interaction.Name));
    }

    /// <summary>The name beside the list is not a field of the row: a row with none of its own is still no row.</summary>
    [Fact]
    public async Task The_name_beside_the_list_does_not_make_a_row_of_an_item_without_fields()
    {
        await using var scripted = await ScriptedServer.StartAsync();
        scripted.Enqueue(200, "{\"name\":\"Ana Pérez\",\"data\":[{\"detail\":\"Token invalido\"}]}");

        await Assert.ThrowsAsync<NeuProtocolException>(() => NeuPagingTests.Client(scripted).GetNotificationInteractionsAsync(null, null, new NeuPaging(), null, CancellationToken.None).ToListAsync());
    }
}
